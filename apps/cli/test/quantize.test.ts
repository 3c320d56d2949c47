// `pq quantize` end to end (in process): the README's session on an image folder, where max
// calibration of the torch.onnx ResNet-18 gives the amax that pq's own calibration of the same
// network (written with @pq/vision's BasicBlock, loaded with the imported model's state dict)
// gives on the same data, quantizer by quantizer, and the Q/DQ model runs in onnxruntime-node;
// QAT on a .npy with labels; safetensors input; the refusals before any work.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { seededValues } from '@pq/fixtures';
import { decodeOnnx, disableAcceleration, enableCalibration, exportOnnx, encodeSafetensors, finishCalibration, quantizers, replaceWithQuant, setQuantizerByCfg } from '@pq/nn';
import { importOnnx } from '@pq/onnx';
import { parseCommand, type QuantizeOptions } from '../src/args.js';
import { openDataset } from '../src/data.js';
import { runQuantize } from '../src/quantize.js';
import { SmallResNet18 } from './small_resnet.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RESNET = join(ROOT, 'packages/onnx/test/fixtures/resnet18_op13.onnx');
const TRANSFORMER = join(ROOT, 'packages/onnx/test/fixtures/transformer_op13_dynamic.onnx');
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
  return seededValues(n * shape.reduce((a, b) => a * b, 1), seed);
}

function options(argv: string[]): QuantizeOptions {
  const c = parseCommand(['quantize', ...argv, '--quiet']);
  if (c.command !== 'quantize') throw new Error('not a quantize command');
  return c.options;
}

describe('pq quantize', () => {
  it("the README's session (every line but the timings); max calibration gives the amax of pq's own calibration of the same network, and the same Q/DQ graph", async () => {
    const block = [...readFileSync(join(ROOT, 'apps', 'cli', 'README.md'), 'utf8').matchAll(/```\n([\s\S]*?)```/g)][0]![1]!.split('\n');
    const argv = block[0]!.replace('$ npx -y pnpm@12.4.2 pq ', '').split(' ');
    const out = join(dir, 'resnet18_int8.onnx');
    const o = options(argv.slice(1).map((a) => (a === 'resnet18_int8.onnx' ? out : a.includes('/') ? join(ROOT, a) : a)));
    const lines: string[] = [];
    const initCwd = process.env['INIT_CWD'];
    process.env['INIT_CWD'] = ROOT;
    let result;
    try {
      result = await runQuantize(o, (line) => lines.push(line));
    } finally {
      if (initCwd === undefined) delete process.env['INIT_CWD'];
      else process.env['INIT_CWD'] = initCwd;
    }
    // Progress lines carry timings; the check's numbers come from ONNX Runtime's arithmetic.
    const comparable = (l: string) => !l.startsWith('calibrating [') && !l.startsWith('Q/DQ model vs') && l !== '';
    expect(lines.map((l) => l.replace(out, 'resnet18_int8.onnx')).filter(comparable)).toEqual(block.slice(1).filter(comparable));
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    // ONNX Runtime computes the Q/DQ graph's own float math ('basic'), so it matches pq's forward
    // up to a value that sits on a rounding boundary and lands one step away; one step of the
    // classifier's input bounds what that does here (as in @pq/nn's Q/DQ export tests).
    expect(result.maxDiffVsPq).toBeLessThanOrEqual(Math.max(1e-4, result.amax.get('fc._input_quantizer')![0]! / 127));
    expect(result.argmaxAgreement).toBeGreaterThan(0.5);

    // The same network written with @pq/vision, with the imported model's weights (torchvision keys),
    // calibrated the same way on the same images.
    const imported = importOnnx(new Uint8Array(readFileSync(RESNET)));
    const net = new SmallResNet18();
    net.loadStateDict(imported.stateDict());
    net.eval();
    replaceWithQuant(net);
    setQuantizerByCfg(net, { '*weight_quantizer': { numBits: 8, axis: null } });
    enableCalibration(net);
    const images = openDataset(o.calib, { option: '--calib', inputName: 'input', inputShape: imported.inputs[0]!.shape!, size: null, resize: null, mean: o.mean, std: o.std, labels: null, limit: null });
    imported.dispose();
    for (let b = 0; b < images.count; b += 2) tf.tidy(() => void net.call(tf.tensor(images.read(b, b + 2), [2, 3, 32, 32])));
    finishCalibration(net);
    const ours = new Map([...quantizers(net)].map(([n, q]) => [n, Array.from(q.amax!.dataSync())]));
    expect([...result.amax.keys()]).toEqual([...ours.keys()]);
    for (const [name, amax] of ours) expect(result.amax.get(name), name).toEqual(amax);
    // pq's export of its own network places the same Q/DQ pairs around the same nodes.
    const ops = (bytes: Uint8Array) => decodeOnnx(bytes).graph.node.map((n) => n.opType);
    expect(ops(new Uint8Array(readFileSync(out)))).toEqual(ops(exportOnnx(net, tf.zeros([2, 3, 32, 32]), { dynamicBatch: false })));
    net.dispose();
  });

  it('a .npy of inputs with --labels: QAT on cross-entropy, percentile calibration, --exclude keeps a layer float', async () => {
    const calib = join(dir, 'calib.npy');
    writeFileSync(calib, npy(randomInputs(4, [3, 32, 32], 7), [4, 3, 32, 32]));
    const labels = join(dir, 'labels.npy');
    writeFileSync(labels, npy(Int32Array.of(3, 1, 4, 1), [4]));
    const out = join(dir, 'qat.onnx');
    const result = await runQuantize(options([RESNET, '--calib', calib, '--qat-data', calib, '--labels', labels, '--qat-epochs', '2', '--lr', '1e-3', '--method', 'percentile', '--exclude', 'fc', '-o', out]), () => {});
    expect(result.qatLosses).toHaveLength(2);
    expect(result.qatLosses.every(Number.isFinite)).toBe(true);
    expect(result.amax.get('fc._input_quantizer')).toEqual([]);
    expect(result.amax.get('conv1._input_quantizer')!).toHaveLength(1);
    expect(Number.isFinite(result.maxDiffVsPq) && Number.isFinite(result.maxDiffVsFloat)).toBe(true);
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
