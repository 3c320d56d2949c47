// The built packages on Node as a user gets them: a CommonJS script that requires @pq/nn and an
// ES module that imports it, each in its own `node` process (no loader, no tsx, no vitest
// resolution), build a small CNN with a quantized layer, train it and save its state, on the
// default backend that importing @pq/nn chose.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'pq-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  backend: string;
  accelerated: boolean;
  losses: number[];
  predicted: number[];
  stateBytes: number;
  processHandlers: number;
}

async function train(script: string): Promise<{ result: Result; stdout: string; stderr: string; saved: Uint8Array }> {
  const out = join(dir, `${script}.safetensors`);
  const { stdout, stderr } = await run(process.execPath, [join(import.meta.dirname, 'scripts', script), out]);
  return { result: JSON.parse(stdout) as Result, stdout, stderr, saved: readFileSync(out) };
}

describe('the built @pq/nn on Node', () => {
  const runs = Promise.all([train('train_cnn.cjs'), train('train_cnn.mjs')]);

  it('trains a CNN from CommonJS (require) and from an ES module (import), identically, on the fast path by default', async () => {
    const [cjs, esm] = await runs;
    for (const { result, saved } of [cjs, esm]) {
      expect(result.backend).toBe('wasm'); // with no call: import made wasm + pq's kernels the default
      expect(result.accelerated).toBe(true);
      expect(result.processHandlers).toBe(0); // the wasm module's error handlers were taken off again
      expect(result.losses).toHaveLength(5);
      result.losses.slice(1).forEach((l, i) => expect(l).toBeLessThan(result.losses[i]!)); // gradients reach every layer
      expect(result.predicted).toHaveLength(6); // argMax, a chained tensor method
      expect(saved.length).toBe(result.stateBytes); // @pq/nn/node wrote what encodeSafetensors makes
    }
    expect(cjs.result).toEqual(esm.result);
    expect(Buffer.compare(cjs.saved, esm.saved)).toBe(0);
  });

  it('prints nothing but the result: no tfjs banner, no warning', async () => {
    for (const { stdout, stderr } of await runs) {
      expect(stdout.trim().split('\n')).toHaveLength(1);
      expect(stderr).toBe('');
    }
  });

  it('leaves a backend the program started before importing it, warning once when it is the slow cpu one', async () => {
    const { stdout, stderr } = await run(process.execPath, [join(import.meta.dirname, 'scripts', 'cpu_first.cjs')]);
    expect(JSON.parse(stdout)).toEqual({ backend: 'cpu', accelerated: false });
    expect(stderr.match(/@pq\/nn: tfjs was already running on its cpu backend/g)).toHaveLength(1);
    expect(stderr).toMatch(/await enableAcceleration\(\)/);
  });
});

describe('the built @pq/onnx on Node', () => {
  it('imports and runs an ONNX model from a CommonJS script', async () => {
    const model = join(import.meta.dirname, '..', '..', '..', 'packages', 'onnx', 'test', 'fixtures', 'transformer_op17.onnx');
    const { stdout, stderr } = await run(process.execPath, [join(import.meta.dirname, 'scripts', 'import_onnx.cjs'), model]);
    expect(JSON.parse(stdout)).toEqual({ shape: [2, 5, 16], keys: 24, inputs: [{ name: 'input', dtype: 'float32', shape: [2, 5, 16] }] });
    expect(stderr).toBe('');
  });
});
