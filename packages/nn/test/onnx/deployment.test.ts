// What a deployment sees: a QuantLSTMCell's export in ONNX Runtime at its default optimisation
// level ('all'), where ORT fuses the Q/DQ pairs and the Gemm into its int8 kernel QGemm (checked
// on the optimised graph ORT writes). Every other ORT test runs at 'basic', the exact graph.
//
// Why the tolerance holds on every x86-64 CPU: QGemm multiplies int8 inputs (as uint8, zero point
// 128) by int8 weights. With AVX512-VNNI / AVX-VNNI the products accumulate exactly in int32; with
// AVX2 alone (vpmaddubsw) each pair of products is first summed in int16 and saturates when it
// passes 32767, which 8-bit weights at ±127 can reach (2 * 255 * 127). The weights here are held to
// 7 bits (|w_q| <= 63, ORT's own advice for such CPUs: a weight amax of 255/127 times each row's
// max |w|), so pair sums stay below 2 * 255 * 63 = 32130 and both paths compute the exact integer
// dot product. What remains between ORT and pq's fake-quant forward is float rounding of the
// scales and, where an input sits on a rounding tie (ORT divides by the scale, pq multiplies by
// its inverse), one input quantization step: at most sx * max|w| in a gate's pre-activation, which
// tanh and sigmoid do not enlarge, once per cell step.
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuantLSTMCell, decodeOnnx, enableCalibration, exportOnnx, finishCalibration, manualSeed } from '@pq/nn';
import { maxAbsDiff, runOrt, runPq, seeded } from './ort.js';
import { CellModel } from './models.js';

async function optimisedOps(bytes: Uint8Array): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pq-ort-'));
  try {
    const path = join(dir, 'optimised.onnx');
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', optimizedModelFilePath: path });
    await session.release();
    return decodeOnnx(new Uint8Array(readFileSync(path))).graph.node.map((n) => n.opType ?? '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("ONNX Runtime's int8 kernels (default optimisation level)", () => {
  it('run a QuantLSTMCell within one input quantization step per cell step of pq, on any x86-64 CPU', async () => {
    manualSeed(11);
    const model = new CellModel(new QuantLSTMCell(8, 16));
    enableCalibration(model);
    tf.tidy(() => model.call(seeded([16, 8], 21, 2)));
    finishCalibration(model);
    const cell = model.cell as QuantLSTMCell;
    const rowMax = tf.tidy(() => tf.max(tf.abs(tf.concat([cell.weight_ih, cell.weight_hh], 1)), 1, true));
    cell.weightQuantizer.amax = tf.tidy(() => tf.mul(rowMax, 255 / 127));

    const bytes = exportOnnx(model, seeded([1, 8], 1));
    expect(await optimisedOps(bytes)).toContain('QGemm');

    const sx = cell.inputQuantizer.amax!.dataSync()[0]! / 127;
    const maxW = tf.max(rowMax).dataSync()[0]!;
    const tolerance = 2 * sx * maxW + 1e-5;
    const x = seeded([7, 8], 31, 2);
    const ref = runPq(model, [x]);
    const deployed = await runOrt(bytes, [x], 'all');
    const exact = await runOrt(bytes, [x], 'basic');
    deployed.forEach((o, i) => {
      expect(o.dims).toEqual(ref[i]!.dims);
      expect(maxAbsDiff(o.data, ref[i]!.data)).toBeLessThanOrEqual(tolerance);
      expect(maxAbsDiff(exact[i]!.data, ref[i]!.data)).toBeLessThanOrEqual(1e-5);
    });
    tf.dispose([x, rowMax]);
    model.dispose();
  });
});
