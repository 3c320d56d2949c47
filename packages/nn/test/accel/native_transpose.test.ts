// Transpose on the wasm backend with pq's native kernels on and off: the same bits (float32 bit
// patterns, NaN payloads included, and int32), the tensor count flat. The native kernel moves the
// transposes that pq's wasm kernels leave to tfjs (rank 5 or 6 once merged); the conv layouts
// (NCHW <-> NHWC, OIHW <-> HWIO) stay on the wasm kernels either way. Run on the addon where it is
// built and on the package's reference loops (which check pq's side anywhere).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeKernels, nativeUnavailableReason, referenceKernels } from '@pq/kernels-native';
import { disableAcceleration, enableAcceleration } from './../../src/accel/index.js';
import { nativeKernels, provideNativeKernels, type NativeSource } from './../../src/accel/native_provider.js';

const sources: Array<[string, NativeSource | null]> = [
  ['reference kernels', { load: () => referenceKernels, unavailableReason: () => null }],
  ['the native addon', nativeUnavailableReason() === null ? { load: loadNativeKernels, unavailableReason: nativeUnavailableReason } : null],
];

/** n random 32-bit words, so every float32 bit pattern is as likely (NaNs with payloads included). */
function randomWords(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s ^ (s >>> 15);
  }
  return out;
}

/** The transposed tensor's 32-bit words (float32 bits or int32 values). */
function transposedWords(words: Uint32Array, shape: number[], perm: number[], dtype: 'float32' | 'int32'): Uint32Array {
  const x = tf.tensor(dtype === 'float32' ? new Float32Array(words.buffer.slice(0)) : new Int32Array(words.buffer.slice(0)), shape, dtype);
  const y = tf.transpose(x, perm);
  const data = y.dataSync() as Float32Array | Int32Array;
  tf.dispose([x, y]);
  return new Uint32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

const CONV_LAYOUTS: Array<[string, number[], number[]]> = [
  ['NCHW -> NHWC', [4, 64, 8, 8], [0, 2, 3, 1]],
  ['NHWC -> NCHW', [4, 8, 8, 64], [0, 3, 1, 2]],
  ['OIHW -> HWIO', [64, 32, 3, 3], [2, 3, 1, 0]],
  ['HWIO -> OIHW', [3, 3, 32, 64], [3, 2, 0, 1]],
];
const HIGH_RANK: Array<[string, number[], number[]]> = [
  ['pixel shuffle, rank 6', [2, 3, 2, 2, 5, 7], [0, 1, 4, 2, 5, 3]],
  ['rank 5', [3, 4, 5, 6, 7], [4, 2, 0, 3, 1]],
  ['rank 6 reversed, a size-1 axis', [2, 1, 3, 4, 2, 5], [5, 4, 3, 2, 1, 0]],
];

describe.each(sources.filter(([, s]) => s !== null))('Transpose with %s on and off', (_, source) => {
  let previous: NativeSource | null = null;
  beforeAll(() => {
    previous = provideNativeKernels(source);
  });
  afterAll(() => {
    disableAcceleration();
    provideNativeKernels(previous);
  });

  /** The words with native kernels on, then off, and whether the native transpose ran. */
  async function onAndOff(words: Uint32Array, shape: number[], perm: number[], dtype: 'float32' | 'int32') {
    await enableAcceleration();
    const spy = vi.spyOn(nativeKernels()!, 'transpose');
    const before = tf.memory().numTensors;
    const on = transposedWords(words, shape, perm, dtype);
    expect(tf.memory().numTensors, 'tensors left with native on').toBe(before);
    const ran = spy.mock.calls.length > 0;
    spy.mockRestore();
    await enableAcceleration({ native: false });
    const off = transposedWords(words, shape, perm, dtype);
    expect(tf.memory().numTensors, 'tensors left with native off').toBe(before);
    return { on, off, ran };
  }

  it.each([...CONV_LAYOUTS, ...HIGH_RANK])('%s %j perm %j: the same bits, float32 and int32', async (name, shape, perm) => {
    const words = randomWords(shape.reduce((a, b) => a * b, 1), shape.length * 7 + perm[0]!);
    for (const dtype of ['float32', 'int32'] as const) {
      const { on, off, ran } = await onAndOff(words, shape, perm, dtype);
      expect(ran, `${dtype}: native transpose ran`).toBe(HIGH_RANK.some(([n]) => n === name));
      let differs = -1;
      for (let i = 0; i < on.length && differs < 0; i++) if (on[i] !== off[i]) differs = i;
      expect(on.length).toBe(off.length);
      expect(differs, `${dtype}: first differing element`).toBe(-1);
    }
  });

  it('keeps the peephole: undoing a native transpose shares the data, disposed in any order', async () => {
    await enableAcceleration();
    const [shape, perm, inverse] = [[2, 3, 2, 2, 5, 7], [0, 1, 4, 2, 5, 3], [0, 1, 3, 5, 2, 4]];
    const data = new Float32Array(randomWords(840, 9).buffer);
    const before = tf.memory().numTensors;
    const x = tf.tensor(data, shape);
    const spy = vi.spyOn(nativeKernels()!, 'transpose');
    const t = tf.transpose(x, perm);
    const back = tf.transpose(t, inverse);
    expect(spy).toHaveBeenCalledTimes(1); // the undo shares x's data instead of moving it
    spy.mockRestore();
    tf.dispose([x, t]);
    const got = back.dataSync() as Float32Array;
    expect(new Uint32Array(got.buffer, got.byteOffset, got.length)).toEqual(new Uint32Array(data.buffer));
    back.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
