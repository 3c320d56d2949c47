// The fakeQuant op (what TensorQuantizer runs) on the accelerated backends: the golden
// fake_tensor_quant cases bit for bit (forward, sign of zero included, and STE gradient), a
// direct loop on random shapes with per-channel amax, the quantizer's dynamic amax, and no leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { goldenArray, loadGolden, type TensorQuantCase } from '@pq/fixtures';
import { fakeTensorQuant, fakeTensorQuantGrad } from '@pq/core';
import { accelerationState, registerTfjsGradients } from './../../src/accel/index.js';
import { fakeQuant } from './../../src/ops/fake_quant.js';
import { dynamicAmax } from './../../src/quant/dynamic_amax.js';
import { int, mismatches, onAccelerated, randomArray, rng } from './helpers.js';

const cases = loadGolden('tensor_quant').cases;

/** Forward and STE gradient of fakeQuant for one golden case on the current backend. */
function run(c: TensorQuantCase, amaxAsNumber = false): { y: Float32Array; dx: Float32Array } {
  const x = goldenArray(c.x);
  const a = goldenArray(c.amax);
  const dy = goldenArray(c.dy);
  return tf.tidy(() => {
    const xt = tf.tensor(x.data, x.shape);
    const amax = amaxAsNumber ? a.data[0]! : tf.tensor(a.data, a.shape);
    const opts = { numBits: c.numBits, unsigned: c.unsigned, narrowRange: c.narrowRange };
    const y = fakeQuant(xt, amax, opts);
    const dyt = tf.tensor(dy.data, dy.shape);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fakeQuant(v, amax, opts), dyt)))(xt);
    return { y: Float32Array.from(y.dataSync()), dx: Float32Array.from(dx.dataSync()) };
  });
}

/** fake_tensor_quant written as the spec reads, one element at a time, with broadcasting by index. */
function referenceLoop(x: Float32Array, shape: number[], amax: Float32Array, amaxShape: number[], numBits: number, narrow: boolean): Float32Array {
  const maxBound = 2 ** (numBits - 1) - 1;
  const minBound = narrow ? -maxBound : -maxBound - 1;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const off = shape.length - amaxShape.length;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let ai = 0;
    for (let d = 0; d < amaxShape.length; d++) {
      const coord = Math.floor(i / strides[d + off]!) % shape[d + off]!;
      ai = ai * amaxShape[d]! + (amaxShape[d] === 1 ? 0 : coord);
    }
    const am = amax[ai]!;
    const scale = am <= 2 ** -24 ? 0 : Math.fround(maxBound / am);
    const v = Math.fround(x[i]! * scale);
    let q = Math.floor(v);
    const frac = v - q;
    if (frac > 0.5 || (frac === 0.5 && q % 2 !== 0)) q += 1;
    q = Math.min(maxBound, Math.max(minBound, q));
    if (q === 0) q = v < 0 || Object.is(v, -0) ? -0 : 0; // torch.round keeps the sign of zero
    out[i] = scale === 0 ? x[i]! * 0 : Math.fround(q / scale);
  }
  return out;
}

beforeAll(async () => {
  await registerTfjsGradients();
});

describe.each(['cpu', 'wasm'] as const)('fakeQuant with acceleration on %s', (backend) => {
  it.each(cases.map((c) => [c.name, c] as const))('matches the golden %s (forward and STE gradient)', async (_, c) => {
    const r = await onAccelerated(backend, () => run(c));
    expect(mismatches(r.y, goldenArray(c.fake).data)).toEqual([]);
    expect(mismatches(r.dx, goldenArray(c.dx).data)).toEqual([]);
    if (c.amax.shape.length === 0) {
      const n = await onAccelerated(backend, () => run(c, true));
      expect(mismatches(n.y, goldenArray(c.fake).data)).toEqual([]);
    }
  });

  it('matches a direct loop on random shapes and per-channel amax', async () => {
    const next = rng(7);
    for (let trial = 0; trial < 12; trial++) {
      const rank = int(next, 1, 4);
      const shape = Array.from({ length: rank }, () => int(next, 1, 6));
      const axis = int(next, -1, rank - 1);
      const amaxShape = axis < 0 ? [] : shape.map((d, i) => (i === axis ? d : 1)).slice(int(next, 0, axis));
      const x = randomArray(shape.reduce((p, d) => p * d, 1), next, 3);
      const amax = Float32Array.from(randomArray(Math.max(1, amaxShape.reduce((p, d) => p * d, 1)), next, 2), Math.abs);
      const numBits = int(next, 2, 8);
      const narrow = next() < 0.5;
      const y = await onAccelerated(backend, () =>
        tf.tidy(() => Float32Array.from(fakeQuant(tf.tensor(x, shape), tf.tensor(amax, amaxShape), { numBits, narrowRange: narrow }).dataSync())),
      );
      expect(mismatches(y, referenceLoop(x, shape, amax, amaxShape, numBits, narrow)), `trial ${trial} ${shape} ${amaxShape}`).toEqual([]);
    }
  });

  it("with the quantizer's dynamic amax (per tensor and per axis) equals max|x| from tf ops, gradient dy", async () => {
    const next = rng(11);
    const shape = [5, 3, 4, 2];
    const x = randomArray(120, next, 4);
    for (const axis of [null, 0, 1, -1]) {
      const r = await onAccelerated(backend, () =>
        tf.tidy(() => {
          const xt = tf.tensor(x, shape);
          const keep = axis === null ? [] : [axis < 0 ? axis + 4 : axis];
          const reduce = [0, 1, 2, 3].filter((a) => !keep.includes(a));
          const amax = tf.max(tf.abs(xt), reduce, true);
          const dynamic = fakeQuant(xt, dynamicAmax(xt, axis), { narrowRange: false });
          const fixed = fakeQuant(xt, amax, { narrowRange: false });
          const dy = tf.randomNormal(shape, 0, 1, 'float32', 3);
          const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fakeQuant(v, dynamicAmax(v, axis)), dy)))(xt);
          return [dynamic, fixed, dx, dy].map((t) => Float32Array.from(t.dataSync()));
        }),
      );
      expect(mismatches(r[0]!, r[1]!), `axis ${axis}`).toEqual([]);
      expect(mismatches(r[2]!, r[3]!), `axis ${axis}`).toEqual([]);
    }
  });

  it('passes dy through where nothing lies beyond amax, and masks where one element does (at the end, or NaN)', async () => {
    const n = 37; // nine vectors and a scalar tail
    const within = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -0 : Math.sin(i) * 1.5));
    within[3] = 1.5; // |x| == amax passes
    const dyData = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? -0 : Math.cos(i)));
    const variants: Array<[string, Float32Array, number[]]> = [
      ['all within', within, []],
      ['the last element beyond', Float32Array.from(within, (v, i) => (i === n - 1 ? 1.75 : v)), [n - 1]],
      ['a NaN in the vectors', Float32Array.from(within, (v, i) => (i === 9 ? NaN : v)), [9]],
    ];
    for (const [name, xData, masked] of variants) {
      const dx = await onAccelerated(backend, () =>
        tf.tidy(() => {
          const dy = tf.tensor(dyData);
          const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fakeQuant(v, tf.scalar(1.5)), dy)))(tf.tensor(xData));
          return Float32Array.from(g.dataSync());
        }),
      );
      const want = Float32Array.from(dyData, (v, i) => (masked.includes(i) ? 0 : v));
      expect(mismatches(dx, want), name).toEqual([]);
    }
  });

  it('keeps tf.memory().numTensors flat over repeated forward and backward passes', async () => {
    await onAccelerated(backend, () => {
      const x = tf.randomNormal([4, 8]);
      const amax = tf.scalar(1.5);
      const step = (): void => {
        tf.tidy(() => {
          tf.grad((v: tf.Tensor) => tf.sum(fakeQuant(v, amax)))(x);
          tf.grad((v: tf.Tensor) => tf.sum(fakeQuant(v, dynamicAmax(v, 0))))(x);
          tf.grad((v: tf.Tensor) => tf.sum(fakeQuant(v, dynamicAmax(v, -1))))(x);
        });
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, amax]);
    });
  });
});

/** Values that probe the rounding: ties at scale 1 (amax 127), both zeros, beyond amax, NaN, subnormals. */
const EDGES = [0.5, 1.5, 2.5, -0.5, -2.5, 126.5, -127.5, 0, -0, 200, -200, Infinity, -Infinity, NaN, 1e-45, -1e-40, 3e38];
/** amax values: ties at 127, tiny (scale 0), zero, huge, and ordinary. */
const AMAXES = [127, 1e-30, 0, 3e38, 2 ** -24, 2 ** -23, 0.37, 5];

function edgyArray(n: number, next: () => number, scale: number): Float32Array {
  const a = randomArray(n, next, scale);
  for (let i = 0; i < n; i++) if (next() < 0.3) a[i] = EDGES[int(next, 0, EDGES.length - 1)]!;
  return a;
}

describe("fakeQuant in the wasm heap (pq's SIMD kernels) against @pq/core", () => {
  const shape = [6, 5, 7, 9];
  const size = 6 * 5 * 7 * 9;
  // Per tensor; per channel along axis 0 (conv weights), 1 (NCHW activations), the last axis
  // (per-element scales) and two axes, in full and trailing forms.
  const amaxShapes = [[], [1], [6, 1, 1, 1], [1, 5, 1, 1], [5, 1, 1], [7, 1], [9], [1, 1, 7, 9], [6, 1, 1, 9]];
  const optionSets = [{}, { narrowRange: false }, { numBits: 4 }, { numBits: 16, narrowRange: false }, { unsigned: true }, { unsigned: true, numBits: 1 }];

  it('is installed on wasm', async () => {
    await onAccelerated('wasm', () => expect(accelerationState().kernels).toEqual(expect.arrayContaining(['PqFakeTensorQuant@wasm', 'PqQuantGrad@wasm'])));
  });

  it.each(optionSets.map((o) => [JSON.stringify(o), o] as const))('forward and STE gradient bit for bit, options %s', async (_, o) => {
    const next = rng(23);
    for (const amaxShape of amaxShapes) {
      const x = edgyArray(size, next, 150);
      if ('unsigned' in o) x.forEach((v, i) => (x[i] = Object.is(v, -0) ? v : Math.abs(v)));
      const amaxSize = amaxShape.reduce((p, d) => p * d, 1);
      const amax = Float32Array.from({ length: amaxSize }, () => (next() < 0.5 ? AMAXES[int(next, 0, AMAXES.length - 1)]! : next() * 100));
      const dy = edgyArray(size, next, 1);
      const r = await onAccelerated('wasm', () =>
        tf.tidy(() => {
          const xt = tf.tensor(x, shape);
          const at = tf.tensor(amax, amaxShape);
          const dyt = tf.tensor(dy, shape);
          const y = fakeQuant(xt, at, o);
          const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fakeQuant(v, at, o), dyt)))(xt);
          return [y, dx].map((t) => Float32Array.from(t.dataSync()));
        }),
      );
      const xa = { data: x, shape };
      const aa = { data: amax, shape: amaxShape };
      expect(mismatches(r[0]!, fakeTensorQuant(xa, aa, o).data), `forward, amax ${amaxShape}`).toEqual([]);
      // tf.grad multiplies dy by 1 first (the mul's gradient), which keeps every bit of dy.
      expect(mismatches(r[1]!, fakeTensorQuantGrad(xa, aa, { data: dy, shape }).data), `gradient, amax ${amaxShape}`).toEqual([]);
    }
  });

  it("refuses negative input to unsigned quantization with core's error", async () => {
    await onAccelerated('wasm', () => {
      const x = tf.tensor([0.5, 1, 2, 3, -0.25, 1]);
      expect(() => fakeQuant(x, 4, { unsigned: true })).toThrow(/negative input -0.25 \(at index 4\)/);
      x.dispose();
    });
  });
});
