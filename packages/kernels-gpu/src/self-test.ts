// A backend earns its place by computing what jsKernels computes. The GPU kernels avoid float
// division (GLSL/WGSL allow it to be off by ulps) and leave NaN and infinities to the host, but
// a driver may still contract or reorder float math or fold away the sign of zero; so before a
// backend is used its kernels run on ties, near-ties, tiny and huge values, overflowing
// products, NaN, ±Infinity and -0, per block and per tensor, and on histogram bin edges; any
// bit that differs from @pq/core rejects the backend and the fallback chain moves on.

import { jsKernels, ndarray, type NDArray } from '@pq/core';
import { runAsync, runSync } from './drive.js';
import type { KernelCache } from './kernel-cache.js';
import { histogramPlan } from './plans/histogram.js';
import { quantPlan } from './plans/quant.js';
import { reduceAmaxPlan } from './plans/reduce-amax.js';
import type { Plan, PlanContext } from './plans/step.js';

function probeInput(): NDArray {
  const n = 8 * 512;
  const d = new Float32Array(n);
  let s = 0x9e3779b9;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    const k = Math.floor(rand() * 300) - 150;
    if (kind === 0) d[i] = k + 0.5; // exact ties at scale 1
    else if (kind === 1) d[i] = Math.fround((k + 0.5) / 1.7); // near ties at other scales
    else if (kind === 2) d[i] = (rand() - 0.5) * 2 ** (Math.floor(rand() * 40) - 20);
    else d[i] = (rand() - 0.5) * 300;
  }
  d[3] = -0;
  d[7] = Number.NaN;
  d[11] = Infinity;
  d[13] = -Infinity;
  // products that overflow float32 in row 6 (amax 1e-6)
  d[6 * 512 + 1] = 3e38;
  d[6 * 512 + 2] = -3e38;
  return ndarray(d, [8, 512]);
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

interface Check {
  readonly plan: () => Plan<ArrayLike<number>>;
  readonly expected: () => ArrayLike<number>;
  readonly what: string;
}

function checks(ctx: PlanContext): Check[] {
  const x = probeInput();
  const list: Check[] = [];
  const amaxes: (number | NDArray)[] = [127, 1.7, ndarray([0.5, 1.7, 3, 100, 2 ** -30, 7.25, 1e-6, 65], [8, 1])];
  for (const amax of amaxes) {
    for (const numBits of [8, 16]) {
      const o = { numBits, narrowRange: false };
      list.push({
        what: `${numBits}-bit fake quant`,
        plan: () => map(quantPlan(x, amax, o, true, ctx), (r) => r.out),
        expected: () => jsKernels.fakeTensorQuant(x, amax, o).data,
      });
    }
  }
  list.push({
    what: 'amax per row',
    plan: () => map(reduceAmaxPlan(x, [1], true, ctx), (r) => r.data),
    expected: () => jsKernels.reduceAmax(x, [1], true).data,
  });
  const bins = 37;
  const max = Math.fround(3.3);
  const edges = ndarray(Float32Array.from({ length: 4 * (bins + 1) }, (_, i) => {
    const e = Math.fround((Math.floor(i / 4) * max) / bins);
    return [e, Math.fround(e * (1 + 2 ** -23)), Math.fround(e * (1 - 2 ** -24)), -e][i % 4]!;
  }));
  list.push({
    what: 'histogram of bin edges',
    plan: () => histogramPlan(edges, bins, max, undefined, ctx),
    expected: () => jsKernels.histogram(edges, bins, max),
  });
  return list;
}

function* map<T, U>(plan: Plan<T>, f: (t: T) => U): Plan<U> {
  return f(yield* plan);
}

function verdict(c: Check, got: ArrayLike<number>): string | null {
  const at = firstDifference(got, c.expected());
  return at < 0 ? null : `${c.what} differs at index ${at} (${String(got[at])})`;
}

/** null when the backend matches jsKernels on the probe; otherwise what differed. */
export function selfTest(cache: KernelCache, ctx: PlanContext): string | null {
  for (const c of checks(ctx)) {
    const v = verdict(c, runSync(c.plan(), (step) => cache.runSync(step)));
    if (v) return v;
  }
  return null;
}

/** selfTest for backends that read back asynchronously (WebGPU). */
export async function selfTestAsync(cache: KernelCache, ctx: PlanContext): Promise<string | null> {
  for (const c of checks(ctx)) {
    const v = verdict(c, await runAsync(c.plan(), (step) => cache.run(step)));
    if (v) return v;
  }
  return null;
}
