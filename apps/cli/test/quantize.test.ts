// `pq quantize` end to end (in process): max calibration of the torch.onnx ResNet-18 gives the
// amax that pq's own calibration of the same network (written with @pq/vision's BasicBlock,
// loaded with the imported model's state dict) gives on the same data, quantizer by quantizer;
// the Q/DQ model runs in onnxruntime-node. Image folders (with QAT on their classes),
// safetensors input and the refusals before any work are covered too.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { disableAcceleration, enableCalibration, encodeSafetensors, finishCalibration, quantizers, replaceWithQuant, setQuantizerByCfg } from '@pq/nn';
import { importOnnx } from '@pq/onnx';
import { parseCommand, type QuantizeOptions } from '../src/args.js';
import { runQuantize } from '../src/quantize.js';
import { SmallResNet18 } from './small_resnet.js';

const RESNET = new URL('../../../packages/onnx/test/fixtures/resnet18_op13.onnx', import.meta.url).pathname;
const TRANSFORMER = new URL('../../../packages/onnx/test/fixtures/transformer_op13_dynamic.onnx', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pq-cli-'));

afterAll(() => disableAcceleration());

/** `npy` bytes of a float32 C-order array, as numpy.save writes them. */
function npy(data: Float32Array | Int32Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer), 10 + header.length);
  return out;
}

function randomInputs(n: number, shape: number[], seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * shape.reduce((a, b) => a * b, 1) }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

function options(argv: string[]): QuantizeOptions {
  const c = parseCommand(['quantize', ...argv, '--quiet']);
  if (c.command !== 'quantize') throw new Error('not a quantize command');
  return c.options;
}

describe('pq quantize', () => {
  it("max calibration gives the amax of pq's own calibration of the same network; the Q/DQ model runs", async () => {
    const calib = join(dir, 'calib.npy');
    const data = randomInputs(6, [3, 32, 32], 7);
    writeFileSync(calib, npy(data, [6, 3, 32, 32]));
    const out = join(dir, 'resnet_int8.onnx');
    const result = await runQuantize(options([RESNET, '--calib', calib, '-o', out, '--backend', 'cpu']), () => {});
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(result.maxDiffVsPq).toBeLessThanOrEqual(1e-4);
    expect(result.argmaxAgreement).toBeGreaterThan(0.5);

    // The same network written with @pq/vision, with the imported model's weights (torchvision keys).
    const imported = importOnnx(new Uint8Array((await import('node:fs')).readFileSync(RESNET)));
    const net = new SmallResNet18();
    net.loadStateDict(imported.stateDict());
    imported.dispose();
    net.eval();
    replaceWithQuant(net);
    setQuantizerByCfg(net, { '*weight_quantizer': { numBits: 8, axis: null } });
    enableCalibration(net);
    for (let b = 0; b < 3; b++) tf.tidy(() => void net.call(tf.tensor(data.subarray(b * 2 * 3072, (b + 1) * 2 * 3072), [2, 3, 32, 32])));
    finishCalibration(net);
    const ours = new Map([...quantizers(net)].map(([n, q]) => [n, Array.from(q.amax!.dataSync())]));
    expect([...result.amax.keys()]).toEqual([...ours.keys()]);
    for (const [name, amax] of ours) expect(result.amax.get(name), name).toEqual(amax);
    net.dispose();
  });

  it('image folders (ImageFolder layout, PNG and JPEG) with QAT on their classes; --exclude keeps a layer float', async () => {
    const root = join(dir, 'images');
    for (const [c, cls] of ['cat', 'dog'].entries()) {
      mkdirSync(join(root, cls), { recursive: true });
      for (let i = 0; i < 2; i++) {
        const rgba = Uint8Array.from({ length: 40 * 36 * 4 }, (_, k) => (k * (7 + i) + c * 50) & 255);
        const rgb = Uint8Array.from({ length: 40 * 36 * 3 }, (_, k) => rgba[k]!);
        if (i === 0) writeFileSync(join(root, cls, `${i}.png`), encodePng({ width: 40, height: 36, data: rgb, channels: 3, depth: 8 }));
        else writeFileSync(join(root, cls, `${i}.jpg`), jpeg.encode({ width: 40, height: 36, data: rgba }, 90).data);
      }
    }
    const out = join(dir, 'images.onnx');
    const result = await runQuantize(options([RESNET, '--calib', root, '--qat-data', root, '--qat-epochs', '2', '--lr', '1e-3', '--method', 'percentile', '--exclude', 'fc', '-o', out]), () => {});
    expect(result.qatLosses).toHaveLength(2);
    expect(result.qatLosses.every(Number.isFinite)).toBe(true);
    expect(result.amax.get('fc._input_quantizer')).toEqual([]);
    expect(result.amax.get('conv1._input_quantizer')!).toHaveLength(1);
    expect(result.maxDiffVsPq).toBeLessThanOrEqual(1e-4);
  });

  it('safetensors input of a model with a symbolic batch; data that do not fit are refused before any work', async () => {
    const st = join(dir, 'calib.safetensors');
    writeFileSync(st, encodeSafetensors({ input: { data: randomInputs(5, [5, 16], 3), shape: [5, 5, 16] } }));
    const out = join(dir, 'transformer.onnx');
    const result = await runQuantize(options([TRANSFORMER, '--calib', st, '-o', out, '--method', 'mse', '--batch-size', '2', '--per-channel', '--backend', 'cpu']), () => {});
    expect(result.amax.get('layers.0.linear1._weight_quantizer')!).toHaveLength(32); // per channel
    expect(result.maxDiffVsPq).toBeLessThanOrEqual(1e-4);

    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, npy(randomInputs(4, [3, 28, 28], 1), [4, 3, 28, 28]));
    await expect(runQuantize(options([RESNET, '--calib', bad, '-o', join(dir, 'x.onnx')]), () => {})).rejects.toThrow(
      "--calib: samples of shape [3, 28, 28] does not fit the model input 'input' [2, 3, 32, 32] (its dimensions after the batch)",
    );
    await expect(runQuantize(options([RESNET, '--calib', st, '-o', join(dir, 'x.onnx')]), () => {})).rejects.toThrow('does not fit the model input');
    await expect(runQuantize(options([RESNET, '--calib', join(dir, 'calib.npy'), '--exclude', 'head*', '-o', join(dir, 'x.onnx'), '--backend', 'cpu']), () => {})).rejects.toThrow(
      '--exclude head* matches no quantized layer (they are conv1, layer1.0.conv1,',
    );
    await expect(runQuantize(options([join(dir, 'calib.npy'), '--calib', st, '-o', join(dir, 'x.onnx')]), () => {})).rejects.toThrow(/not an ONNX model.*pq inspect/);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  });
});
