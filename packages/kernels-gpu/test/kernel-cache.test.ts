// Compiled kernels are cached per step key, least recently used destroyed first.
import { GPU } from 'gpu.js';
import { afterAll, describe, expect, it } from 'vitest';
import { KernelCache } from '../src/kernel-cache.js';
import { stepKey, type KernelStep } from '../src/plans/step.js';

const gpu = new GPU({ mode: 'webasm' });
afterAll(() => gpu.destroy());

function doubling(n: number): KernelStep {
  const args = [new Float32Array(n).fill(1.5)];
  return { key: stepKey('double', n, args), source: 'function (x) { return x[this.thread.x] * 2; }', output: n, args };
}

describe('KernelCache', () => {
  it('compiles once per key and evicts the least recently used beyond its limit', () => {
    const cache = new KernelCache(gpu, 'webasm', 2);
    expect(Array.from(cache.runSync(doubling(3)))).toEqual([3, 3, 3]);
    cache.runSync(doubling(4));
    cache.runSync(doubling(3)); // hit: 3 is now the most recent
    expect(cache.compiled).toBe(2);
    cache.runSync(doubling(5)); // evicts 4
    expect(cache.size).toBe(2);
    cache.runSync(doubling(3));
    expect(cache.compiled).toBe(3);
    cache.runSync(doubling(4)); // was evicted: compiles again
    expect(cache.compiled).toBe(4);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
