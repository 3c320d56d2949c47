// The creation-time self-test accepts the backends that are exact here and rejects one whose
// float math differs in a single bit.
import { GPU } from 'gpu.js';
import { afterAll, describe, expect, it } from 'vitest';
import { KernelCache } from '../src/kernel-cache.js';
import type { KernelStep } from '../src/plans/step.js';
import { selfTest } from '../src/self-test.js';

/** A backend whose division is off by one ulp now and then, as GLSL allows. */
class SloppyCache extends KernelCache {
  override runSync(step: KernelStep): Float32Array {
    const r = super.runSync(step);
    if (step.key.startsWith('fake')) {
      const bits = new Uint32Array(r.buffer, r.byteOffset, r.length);
      bits[5]! ^= 1;
    }
    return r;
  }
}

const caches: KernelCache[] = [];
afterAll(() => {
  for (const c of caches) {
    c.clear();
    void c.gpu.destroy();
  }
});

describe.each(['webasm', 'cpu'] as const)('selfTest on %s', (mode) => {
  const ctx = { tile: 1 << 22, hostSpecials: false, divisionFree: false };
  it('passes the real backend', () => {
    const cache = new KernelCache(new GPU({ mode }), mode);
    caches.push(cache);
    expect(selfTest(cache, ctx)).toBeNull();
  });
  it('rejects one differing bit, naming the kernel', () => {
    const cache = new SloppyCache(new GPU({ mode }), mode);
    caches.push(cache);
    expect(selfTest(cache, ctx)).toMatch(/8-bit fake quant differs at index 5/);
  });
});
