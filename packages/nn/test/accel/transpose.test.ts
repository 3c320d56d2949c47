// The Transpose peephole on wasm: a transpose that undoes the one producing its input shares
// the original data; values, disposal in any order and tensor counts stay right.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { asBatched2d, asBatchedSwap } from './../../src/accel/transpose_simd.js';
import { expectWasmMatchesStockCpu, mismatches, onAccelerated, randomArray, rng } from './helpers.js';

describe('Transpose peephole (wasm)', () => {
  it('round trips share data and survive disposal in any order', async () => {
    await onAccelerated('wasm', () => {
      const data = randomArray(2 * 3 * 4 * 5, rng(1));
      const before = tf.memory().numTensors;
      const x = tf.tensor4d(data, [2, 3, 4, 5]);
      const a = tf.transpose(x, [0, 2, 3, 1]);
      const back = tf.transpose(a, [0, 3, 1, 2]);
      const other = tf.transpose(a, [1, 0, 2, 3]); // not an inverse: a real copy
      expect(back.shape).toEqual([2, 3, 4, 5]);
      tf.dispose([x, a]);
      expect(mismatches(back.dataSync(), data)).toEqual([]);
      const twice = tf.tidy(() => tf.transpose(tf.transpose(back, [3, 2, 1, 0]), [3, 2, 1, 0]));
      back.dispose();
      expect(mismatches(twice.dataSync(), data)).toEqual([]);
      expect(other.shape).toEqual([4, 2, 5, 3]);
      expect(other.dataSync()[5 * 3]).toBe(data[3 * 4 * 5]); // other[0,1,0,0] = a[1,0,0,0] = x[1,0,0,0]
      tf.dispose([twice, other]);
      expect(tf.memory().numTensors).toBe(before);
      // Once the source is gone, undoing a transpose copies again and still gives the right values.
      const y = tf.tensor3d(data.subarray(0, 24), [2, 3, 4]);
      const t = tf.transpose(y, [2, 0, 1]);
      y.dispose();
      const u = tf.transpose(t, [1, 2, 0]);
      expect(mismatches(u.dataSync(), data.subarray(0, 24))).toEqual([]);
      tf.dispose([t, u]);
    });
  });

  it('a transpose that moves only size-1 axes keeps the data, disposed in any order', async () => {
    await onAccelerated('wasm', () => {
      const data = randomArray(2 * 5, rng(3));
      const before = tf.memory().numTensors;
      const x = tf.tensor4d(data, [2, 5, 1, 1]);
      const y = tf.transpose(x, [0, 2, 3, 1]);
      expect(y.shape).toEqual([2, 1, 1, 5]);
      x.dispose();
      expect(mismatches(y.dataSync(), data)).toEqual([]);
      const z = tf.transpose(y, [3, 1, 2, 0]); // a real transpose of it
      y.dispose();
      expect(Array.from(z.dataSync())).toEqual([0, 1, 2, 3, 4].flatMap((c) => [data[c]!, data[5 + c]!]));
      z.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('a transpose of a transposed tensor starts from the first one\'s live input, with the same values', async () => {
    const data = randomArray(4 * 6 * 3 * 5, rng(4), 100);
    // NCHW -> NHWC -> [C, H, W, N] (the filter gradient's layout of its input); the source alive or not.
    const run = (): number[][] => [true, false].map((alive) => tf.tidy(() => {
      const x = tf.tensor4d(data, [4, 6, 3, 5]);
      const t = tf.transpose(x, [0, 2, 3, 1]);
      if (!alive) x.dispose();
      return Array.from(tf.transpose(t, [3, 1, 2, 0]).dataSync());
    }));
    await expectWasmMatchesStockCpu(run);
  });

  it('a transpose of a reshaped result is a real transpose, not the undo of the first', async () => {
    await onAccelerated('wasm', () => {
      const data = randomArray(3 * 6 * 3, rng(2));
      const x = tf.tensor3d(data, [6, 3, 3]);
      // [6, 3, 3] -> [3, 6, 3], viewed (same data) as [1, 3, 18], then transposed by the same perm.
      const t = tf.transpose(x, [1, 0, 2]);
      const r = tf.reshape(t, [1, 3, 18]);
      const u = tf.transpose(r, [1, 0, 2]);
      const expected = tf.tidy(() => tf.transpose(tf.reshape(tf.add(t, 0), [1, 3, 18]), [1, 0, 2]).dataSync());
      expect(mismatches(u.dataSync(), expected)).toEqual([]);
      expect(mismatches(u.dataSync(), t.dataSync())).toEqual([]);
      tf.dispose([x, t, r, u]);
    });
  });
});

describe('Transpose by pq kernels (wasm)', () => {
  it('finds the batched 2-d transposes, merging adjacent axes and dropping size-1 ones', () => {
    expect(asBatched2d([2, 3, 4, 5], [0, 2, 3, 1])).toEqual({ batch: 2, rows: 3, cols: 20 });
    expect(asBatched2d([2, 4, 5, 3], [0, 3, 1, 2])).toEqual({ batch: 2, rows: 20, cols: 3 });
    expect(asBatched2d([7, 9], [1, 0])).toEqual({ batch: 1, rows: 7, cols: 9 });
    expect(asBatched2d([1, 3, 1, 5], [0, 3, 2, 1])).toEqual({ batch: 1, rows: 3, cols: 5 });
    expect(asBatched2d([2, 3, 4], [2, 1, 0])).toBeNull();
    expect(asBatched2d([2, 3, 4], [0, 1, 2])).toBeNull();
    expect(asBatched2d([2, 1, 4], [1, 0, 2])).toBeNull(); // only a size-1 axis moves: a copy
  });

  it('finds the outer/inner swaps of three merged axes, batched or not, with both swapped dims at least 4', () => {
    expect(asBatchedSwap([64, 32, 3, 3], [2, 3, 1, 0])).toEqual({ batch: 1, a: 64, b: 32, c: 9 });
    expect(asBatchedSwap([3, 3, 32, 64], [3, 2, 0, 1])).toEqual({ batch: 1, a: 9, b: 32, c: 64 });
    expect(asBatchedSwap([32, 8, 8, 64], [3, 1, 2, 0])).toEqual({ batch: 1, a: 32, b: 64, c: 64 });
    expect(asBatchedSwap([2, 5, 3, 6], [0, 3, 2, 1])).toEqual({ batch: 2, a: 5, b: 3, c: 6 });
    expect(asBatchedSwap([64, 32, 1, 3], [2, 3, 1, 0])).toBeNull(); // 3 taps: under one block
    expect(asBatchedSwap([64, 32, 3, 3], [0, 2, 3, 1])).toBeNull();
  });

  // The swap kernel at conv weight shapes, [Co, Ci, kh, kw] <-> [kh, kw, Ci, Co]: dims that are and
  // are not multiples of 4 (overlapping last blocks), above the 16-wide strips, 2x2 and 7x7 taps,
  // and a batch; bit for bit against stock cpu.
  const swaps: Array<[number[], number[]]> = [
    [[5, 6, 3, 3], [2, 3, 1, 0]], [[3, 3, 6, 5], [3, 2, 0, 1]], [[18, 3, 2, 2], [2, 3, 1, 0]],
    [[7, 7, 3, 21], [3, 2, 0, 1]], [[21, 3, 7, 7], [2, 3, 1, 0]], [[3, 5, 2, 17], [0, 3, 2, 1]],
  ];
  it.each(swaps.map(([s, p]) => [JSON.stringify(s), JSON.stringify(p), s, p] as const))('swap %s perm %s matches stock cpu bit for bit', async (_, __, shape, perm) => {
    const data = randomArray(shape.reduce((a, b) => a * b, 1), rng(shape[0]! * 31 + shape[3]!), 100);
    await expectWasmMatchesStockCpu(() => [Array.from(tf.tidy(() => tf.transpose(tf.tensor(data, shape), perm).dataSync()))]);
  });

  // Random shapes with sizes on both sides of the 4x4 blocks; float32 and int32, bit for bit. The
  // last perms are no batched 2-d transposes (the strided-copy kernel), the very last of rank 5.
  const perms = [[0, 2, 3, 1], [0, 3, 1, 2], [1, 0], [0, 2, 1], [2, 0, 1], [3, 2, 1, 0], [2, 3, 1, 0], [1, 0, 2], [4, 2, 0, 3, 1]];
  it.each(perms.map((p, i) => [JSON.stringify(p), p, i] as const))('perm %s matches stock cpu bit for bit', async (_, perm, i) => {
    const next = rng(60 + i);
    const shape = perm.map(() => 1 + Math.floor(next() * 9));
    const size = shape.reduce((a, b) => a * b, 1);
    const data = randomArray(size, next, 100);
    const run = (dtype: 'float32' | 'int32'): number[] => tf.tidy(() => Array.from(tf.transpose(tf.tensor(data, shape, dtype), perm).dataSync()));
    await expectWasmMatchesStockCpu(() => [run('float32'), run('int32')]);
  });
});
