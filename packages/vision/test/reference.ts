// What the tests against the reference share: its calibration flow on pq, the comparisons,
// and running an exported model in ONNX Runtime.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import ort from 'onnxruntime-node';
import { enableCalibration, exportOnnx, finishCalibration, quantizers, type Module, type StateDict } from '@pq/nn';
import { seededInput } from './seeded.js';

export interface Arr { shape: number[]; data: number[] }

/** The fixture scripts' batch shape and calibration batches (reference_flow.py). */
export const SHAPE = [2, 3, 32, 32];
export const CALIB_BATCHES = ['calib.0', 'calib.1'];

/** The model's eval output on the seeded batch `key`. */
export function run(model: Module, key = 'input'): Float32Array {
  const y = tf.tidy(() => model.call(seededInput(key, SHAPE)) as tf.Tensor);
  const data = y.dataSync() as Float32Array;
  y.dispose();
  return data;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Eval output with every quantizer disabled. */
export function floatOutput(model: Module): Float32Array {
  for (const q of quantizers(model).values()) q.disable();
  const y = run(model);
  for (const q of quantizers(model).values()) q.enable();
  return y;
}

/** The reference's classification-flow max calibration over the fixtures' batches. */
export function maxCalibrate(model: Module): StateDict {
  enableCalibration(model);
  for (const key of CALIB_BATCHES) run(model, key);
  finishCalibration(model);
  return model.stateDict();
}

/**
 * Activation amax come out of up to 50 layers of float32 sums taken in another order than
 * PyTorch's (measured: at most 1.2e-6 relative, 18 ulps); weight amax (max|w|) are exact.
 */
export function expectAmax(state: StateDict, want: Record<string, Arr>): void {
  for (const [key, w] of Object.entries(want)) {
    const got = state[key];
    expect(got, key).toBeDefined();
    expect(got!.shape, key).toEqual(w.shape);
    const tolerance = key.includes('_weight_quantizer') ? 0 : 1e-5;
    for (let i = 0; i < w.data.length; i++) {
      expect(Math.abs(got!.data[i]! - w.data[i]!), `${key}[${i}]: pq ${got!.data[i]} vs torch ${w.data[i]}`).toBeLessThanOrEqual(tolerance * w.data[i]!);
    }
  }
}

/** On the grid weights, each weight amax is max|w| of its output channel and a power-of-two scale (127 * 2^-m). */
export function expectGridWeightAmax(state: StateDict): void {
  for (const [key, amax] of Object.entries(state)) {
    if (!key.endsWith('_weight_quantizer._amax')) continue;
    const w = state[key.replace('._weight_quantizer._amax', '.weight')]!;
    const fan = w.data.length / w.shape[0]!;
    amax.data.forEach((a, c) => {
      let m = 0;
      for (let i = c * fan; i < (c + 1) * fan; i++) m = Math.max(m, Math.abs(w.data[i]!));
      expect(a, `${key}[${c}]`).toBe(m);
      expect(Math.log2(127 / a) % 1, `${key}[${c}]`).toBe(0);
    });
  }
}

/** Loads the fixture's power-of-two input amax (scalars). */
export function loadRoundedAmax(model: Module, rounded: Record<string, number>): void {
  const amax = Object.fromEntries(Object.entries(rounded).map(([k, v]) => [k, { data: Float32Array.of(v), shape: [] }]));
  model.loadStateDict({ ...model.stateDict(), ...amax });
}

/** Exports `model` on the seeded input and runs the ONNX graph in ONNX Runtime at level 'basic' (Q/DQ kept). */
export async function exportAndRun(model: Module): Promise<{ bytes: Uint8Array; output: Float32Array }> {
  const x = seededInput('input', SHAPE);
  try {
    const bytes = exportOnnx(model, x);
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'basic' });
    try {
      const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(x.dataSync()), x.shape) });
      return { bytes, output: Float32Array.from(result[session.outputNames[0]!]!.data as Float32Array) };
    } finally {
      await session.release();
    }
  } finally {
    x.dispose();
  }
}
