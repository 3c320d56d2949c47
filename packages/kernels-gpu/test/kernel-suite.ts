// The one suite every implementation runs: jsKernels and each gpu.js mode available here
// (in Node, and in Chromium for WebGL2 and WebGPU, whose kernels return promises).
// Golden vectors must match bit for bit; everything else must match jsKernels bit for bit.
import {
  jsKernels, ndarray, type HistogramOptions, type NDArray, type QuantOptions, type TensorQuantResult,
} from '@pq/core';
import { goldenArray, loadGolden } from '@pq/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameFloats, randomData, rng, size } from './helpers.js';

type Awaitable<T> = T | Promise<T>;

/** QuantKernels whose methods may return promises (createAsyncGpuKernels). */
export interface SuiteKernels {
  tensorQuant(x: NDArray, amax: number | NDArray, o?: QuantOptions): Awaitable<TensorQuantResult>;
  fakeTensorQuant(x: NDArray, amax: number | NDArray, o?: QuantOptions): Awaitable<NDArray>;
  reduceAmax(x: NDArray, axis?: number | readonly number[] | null, keepDims?: boolean): Awaitable<NDArray>;
  histogram(x: NDArray, numBins: number, max: number, o?: HistogramOptions): Awaitable<Float64Array>;
}

export type MakeKernels = (o?: { tileElements?: number }) => Awaitable<SuiteKernels>;

/** The kernels a describe block's tests use, made before them. */
function kernelsFor(make: MakeKernels, o?: { tileElements?: number }): () => SuiteKernels {
  let k: SuiteKernels | undefined;
  beforeAll(async () => {
    k = await make(o);
  });
  return () => {
    if (!k) throw new Error('kernels were not created');
    return k;
  };
}

/** Both implementations either return the same floats or throw the same message. */
async function expectSameQuant(k: SuiteKernels, x: NDArray, amax: number | NDArray, o: QuantOptions, what: string): Promise<void> {
  const ref = jsKernels.tensorQuant(x, amax, o);
  const got = await k.tensorQuant(x, amax, o);
  expectSameFloats(got.outputs.data, ref.outputs.data, `${what} quant`);
  expect(got.outputs.shape).toEqual(ref.outputs.shape);
  expectSameFloats(got.scale.data, ref.scale.data, `${what} scale`);
  expect(got.scale.shape).toEqual(ref.scale.shape);
  const fake = await k.fakeTensorQuant(x, amax, o);
  expectSameFloats(fake.data, jsKernels.fakeTensorQuant(x, amax, o).data, `${what} fake`);
  expect(fake.shape).toEqual([...x.shape]);
}

async function expectSameAmax(k: SuiteKernels, x: NDArray, axis: number | number[] | null, keepDims: boolean): Promise<void> {
  const ref = jsKernels.reduceAmax(x, axis, keepDims);
  const got = await k.reduceAmax(x, axis, keepDims);
  expect(got.shape, `shape for axis ${JSON.stringify(axis)}`).toEqual(ref.shape);
  expectSameFloats(got.data, ref.data, `amax over ${JSON.stringify(axis)} of [${x.shape.join(', ')}]`);
}

async function thrown(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
}

/** Channel amax with a zero channel and a tiny one, the rest spread over [0.5, 4). */
function channelAmax(shape: number[], seed: number): NDArray {
  const r = rng(seed);
  const d = new Float32Array(size(shape)).map(() => 0.5 + r() * 3.5);
  if (d.length > 2) {
    d[0] = 0;
    d[1] = 2 ** -25;
  }
  return ndarray(d, shape);
}

const BROADCASTS: { x: number[]; amax: number[] }[] = [
  { x: [6, 3, 5, 5], amax: [6, 1, 1, 1] },
  { x: [3, 6, 5, 5], amax: [1, 6, 1, 1] },
  { x: [4, 6, 5], amax: [1, 1, 5] },
  { x: [4, 6, 5], amax: [5] },
  { x: [3, 4, 5], amax: [3, 1, 5] },
  { x: [2, 3, 4], amax: [2, 3, 4] },
  { x: [2, 3, 4], amax: [1, 1, 1] },
  { x: [1, 5, 1, 7], amax: [5, 1, 7] },
];

const OPTIONS: QuantOptions[] = [
  {},
  { narrowRange: false },
  { numBits: 4, narrowRange: false },
  { numBits: 2 },
  { numBits: 16, narrowRange: false },
  { numBits: 8, unsigned: true },
  { numBits: 1, unsigned: true },
];

export interface SuiteOptions {
  /** Run the 16M-element and 7M-element cases (slow; for the real backends only). */
  large?: boolean;
}

export function describeKernelSuite(label: string, make: MakeKernels, suite: SuiteOptions = {}): void {
  describe(`${label}: golden tensor_quant.json`, () => {
    const kernels = kernelsFor(make);
    const golden = loadGolden('tensor_quant');
    it.each(golden.cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      const k = kernels();
      const x = goldenArray(c.x);
      const amax = goldenArray(c.amax);
      const o = { numBits: c.numBits, unsigned: c.unsigned, narrowRange: c.narrowRange };
      const q = await k.tensorQuant(x, amax, o);
      expectSameFloats(q.outputs.data, goldenArray(c.quant).data, 'quant');
      expectSameFloats(q.scale.data, goldenArray(c.scale).data, 'scale');
      expect(q.scale.shape).toEqual(c.scale.shape);
      expectSameFloats((await k.fakeTensorQuant(x, amax, o)).data, goldenArray(c.fake).data, 'fake');
      if (c.amax.shape.length === 0) {
        // a plain number amax is the same per-tensor quantizer
        expectSameFloats((await k.fakeTensorQuant(x, amax.data[0]!, o)).data, goldenArray(c.fake).data, 'fake (number amax)');
      }
    });
  });

  describe(`${label}: golden reduce_amax.json`, () => {
    const kernels = kernelsFor(make);
    const golden = loadGolden('reduce_amax');
    it.each(golden.cases.map((c) => [`axis ${JSON.stringify(c.axis)} keepDims ${c.keepDims}`, c] as const))('%s', async (_, c) => {
      const k = kernels();
      const got = await k.reduceAmax(goldenArray(c.x), c.axis, c.keepDims);
      expect(got.shape).toEqual(c.out.shape);
      expectSameFloats(got.data, goldenArray(c.out).data, 'amax');
    });
  });

  describe(`${label}: rounding`, () => {
    const kernels = kernelsFor(make);
    it('rounds exact ties half to even in float32', async () => {
      const k = kernels();
      const x = ndarray(Float32Array.from({ length: 281 }, (_, i) => i - 140 + 0.5));
      const q = (await k.tensorQuant(x, 127, { narrowRange: false })).outputs.data;
      // scale 1: q = rint(x), clamped to [-128, 127]
      expect(Array.from(q.subarray(138, 144))).toEqual([-2, -0, 0, 2, 2, 4]);
      expect(q[0]).toBe(-128);
      expect(q[280]).toBe(127);
      await expectSameQuant(k, x, 127, { narrowRange: false }, 'ties');
      await expectSameQuant(k, x, 2, {}, 'ties amax 2');
      const u = ndarray(Float32Array.from({ length: 40 }, (_, i) => i / 4));
      await expectSameQuant(k, u, 7.5, { numBits: 4, unsigned: true }, 'unsigned ties');
    });

    it('keeps the sign of zero and propagates NaN like jsKernels', async () => {
      const k = kernels();
      const x = ndarray([-0.003, -0, 0, 0.003, Number.NaN, Infinity, -Infinity]);
      const q = (await k.tensorQuant(x, 1)).outputs.data;
      expect(Object.is(q[0], -0) && Object.is(q[1], -0) && Object.is(q[2], 0)).toBe(true);
      await expectSameQuant(k, x, 1, {}, 'signed zeros');
      await expectSameQuant(k, x, 0, {}, 'zero amax');
      const rows = ndarray([3e38, -3e38, Number.NaN, -0, 1, 2, Infinity, -2], [2, 4]);
      await expectSameQuant(k, rows, ndarray([1e-6, 3e38], [2, 1]), {}, 'overflowing products, a huge channel amax');
    });

    it('rounds products that are one ulp below a tie the float32 way', async () => {
      const k = kernels();
      // x * scale lands within an ulp of n + 0.5: float32 rounding decides the tie
      const r = rng(7);
      const x = new Float32Array(4000);
      for (let i = 0; i < x.length; i++) x[i] = Math.fround((Math.floor(r() * 254) - 127 + 0.5) / 1.7 + (r() - 0.5) * 1e-6);
      await expectSameQuant(k, ndarray(x), Math.fround(127 / 1.7), {}, 'near ties');
    });
  });

  describe(`${label}: amax broadcasting and options`, () => {
    const kernels = kernelsFor(make);
    it.each(BROADCASTS.map((b) => [`x [${b.x}] amax [${b.amax}]`, b] as const))('%s', async (_, b) => {
      const k = kernels();
      const n = size(b.x);
      for (const [i, o] of OPTIONS.entries()) {
        const x = ndarray(randomData(n, 11 + i, 5).map((v) => (o.unsigned ? Math.abs(v) : v)), b.x);
        await expectSameQuant(k, x, channelAmax(b.amax, 3 + i), o, `options ${JSON.stringify(o)}`);
      }
      const x = ndarray(randomData(n, 5), b.x);
      await expectSameQuant(k, x, 2.5, {}, 'number amax');
    });

    it('throws the same errors as jsKernels', async () => {
      const k = kernels();
      const x = ndarray([1, -2, 3, 4], [2, 2]);
      const cases: [string, () => unknown, () => unknown][] = [
        ['negative amax', () => k.tensorQuant(x, -1), () => jsKernels.tensorQuant(x, -1)],
        ['NaN amax', () => k.fakeTensorQuant(x, ndarray([1, Number.NaN], [2, 1])), () => jsKernels.fakeTensorQuant(x, ndarray([1, Number.NaN], [2, 1]))],
        ['unsigned negative', () => k.tensorQuant(x, 4, { unsigned: true }), () => jsKernels.tensorQuant(x, 4, { unsigned: true })],
        ['1-bit signed', () => k.tensorQuant(x, 4, { numBits: 1 }), () => jsKernels.tensorQuant(x, 4, { numBits: 1 })],
        ['17 bits', () => k.fakeTensorQuant(x, 4, { numBits: 17 }), () => jsKernels.fakeTensorQuant(x, 4, { numBits: 17 })],
        ['bad broadcast', () => k.tensorQuant(x, ndarray([1, 2, 3], [3])), () => jsKernels.tensorQuant(x, ndarray([1, 2, 3], [3]))],
        ['bad axis', () => k.reduceAmax(x, 2), () => jsKernels.reduceAmax(x, 2)],
        ['repeated axis', () => k.reduceAmax(x, [1, -1]), () => jsKernels.reduceAmax(x, [1, -1])],
        ['bins', () => k.histogram(x, 0, 4), () => jsKernels.histogram(x, 0, 4)],
        ['histogram max', () => k.histogram(x, 8, -1), () => jsKernels.histogram(x, 8, -1)],
        ['infinite amax', () => k.fakeTensorQuant(x, Infinity), () => jsKernels.fakeTensorQuant(x, Infinity)],
        ['unknown option', () => k.fakeTensorQuant(x, 4, { numbits: 4 } as never), () => jsKernels.fakeTensorQuant(x, 4, { numbits: 4 } as never)],
        ['mistyped option', () => k.tensorQuant(x, 4, { unsigned: 'yes' } as never), () => jsKernels.tensorQuant(x, 4, { unsigned: 'yes' } as never)],
        ['histogram option', () => k.histogram(x, 8, 4, { skip_zeros: true } as never), () => jsKernels.histogram(x, 8, 4, { skip_zeros: true } as never)],
      ];
      for (const [what, got, ref] of cases) {
        const message = await thrown(ref);
        expect(message, what).not.toBe('(no error)');
        expect(await thrown(got), what).toBe(message);
      }
    });
  });

  describe(`${label}: reduceAmax`, () => {
    const kernels = kernelsFor(make);
    it('matches jsKernels over every axis combination, NaN included', async () => {
      const k = kernels();
      const shape = [3, 1, 4, 5];
      const data = randomData(size(shape), 21);
      const x = ndarray(data, shape);
      const withNaN = ndarray(data.map((v, i) => (i === 17 ? Number.NaN : v)), shape);
      const axes: (number | number[] | null)[] = [null, 0, 1, 2, -1, [0, 2], [1, 3], [0, 1, 2, 3], [2, 0], [1], []];
      for (const axis of axes) {
        for (const keep of [true, false]) {
          await expectSameAmax(k, x, axis, keep);
          await expectSameAmax(k, withNaN, axis, keep);
        }
      }
      await expectSameAmax(k, ndarray([-3.5], []), null, true);
      await expectSameAmax(k, ndarray(new Float32Array(0), [0, 3]), 1, true);
    });
  });

  describe(`${label}: histogram`, () => {
    const kernels = kernelsFor(make);
    it('counts random data like jsKernels', async () => {
      const k = kernels();
      const x = ndarray(randomData(30_000, 31, 3));
      const max = jsKernels.reduceAmax(x).data[0]!;
      for (const bins of [1, 7, 128, 2048]) {
        expect(Array.from((await k.histogram(x, bins, max)))).toEqual(Array.from(jsKernels.histogram(x, bins, max)));
      }
      expect(Array.from((await k.histogram(x, 100, 1.5)))).toEqual(Array.from(jsKernels.histogram(x, 100, 1.5)));
    });

    it('bins values sitting on bin edges, at max, beyond max, zeros and NaN like jsKernels', async () => {
      const k = kernels();
      for (const [bins, max] of [[2048, 3.7], [100, 1], [10, 0.3], [7, 1e-3]] as const) {
        const m = Math.fround(max);
        const values: number[] = [m, -m, 0, -0, 0, Number.NaN, m * 1.0000001, 2 * m, Infinity];
        for (let b = 0; b <= bins; b++) {
          const edge = Math.fround((b * m) / bins);
          values.push(edge, -edge, Math.fround(edge * (1 + 2 ** -23)), Math.fround(edge * (1 - 2 ** -24)));
        }
        const x = ndarray(values);
        for (const skipZeros of [false, true]) {
          expect(Array.from((await k.histogram(x, bins, m, { skipZeros }))), `bins ${bins} skipZeros ${skipZeros}`)
            .toEqual(Array.from(jsKernels.histogram(x, bins, m, { skipZeros })));
        }
      }
    });

    it('falls back to the data range when max is 0, as torch.histc does', async () => {
      const k = kernels();
      const x = ndarray([0, 0.5, -2, 1, 0]);
      for (const skipZeros of [false, true]) {
        expect(Array.from((await k.histogram(x, 4, 0, { skipZeros })))).toEqual(Array.from(jsKernels.histogram(x, 4, 0, { skipZeros })));
      }
      const zeros = ndarray([0, -0, 0]);
      expect(Array.from((await k.histogram(zeros, 3, 0)))).toEqual(Array.from(jsKernels.histogram(zeros, 3, 0)));
      expect(Array.from((await k.histogram(zeros, 3, 0, { skipZeros: true })))).toEqual(Array.from(jsKernels.histogram(zeros, 3, 0, { skipZeros: true })));
    });
  });

  describe(`${label}: tiled (small tiles, non-power-of-two sizes)`, () => {
    const kernels = kernelsFor(make, { tileElements: 1000 });
    const shape = [7, 13, 37];
    const x = ndarray(randomData(size(shape), 41), shape);
    it('quantizes across tile boundaries for every broadcast', async () => {
      const k = kernels();
      for (const amax of [[7, 1, 1], [1, 13, 1], [1, 1, 37], [7, 1, 37], [13, 37], [1, 1, 1]]) {
        await expectSameQuant(k, x, channelAmax(amax, 9), { narrowRange: false }, `amax [${amax}]`);
      }
      await expectSameQuant(k, x, 1.25, {}, 'per tensor');
    });
    it('reduces across tiles: whole rows, row ranges and gathered columns', async () => {
      const k = kernels();
      for (const axis of [null, 0, 1, 2, [0, 2], [0, 1], [1, 2]] as (number | number[] | null)[]) await expectSameAmax(k, x, axis, true);
      const wide = ndarray(randomData(3 * 5003, 43), [3, 5003]);
      await expectSameAmax(k, wide, 1, false); // a row longer than a tile
      await expectSameAmax(k, wide, 0, true); // a kept block longer than a tile
      const long = ndarray(randomData(70_001, 45), [70_001]);
      await expectSameAmax(k, long, null, true);
    });
    it('histograms across tiles', async () => {
      const k = kernels();
      expect(Array.from((await k.histogram(x, 50, 2)))).toEqual(Array.from(jsKernels.histogram(x, 50, 2)));
    });
  });

  if (!suite.large) return;
  describe(`${label}: large tensors`, () => {
    const kernels = kernelsFor(make);
    it('fake-quantizes and reduces 16M elements (2^24) per tensor', async () => {
      const k = kernels();
      const n = 1 << 24;
      const x = ndarray(randomData(n, 51, 6));
      const amax = jsKernels.reduceAmax(x);
      expectSameFloats((await k.reduceAmax(x)).data, amax.data, 'amax');
      expectSameFloats((await k.fakeTensorQuant(x, amax)).data, jsKernels.fakeTensorQuant(x, amax).data, 'fake 16M');
    });
    it('quantizes a non-power-of-two tensor larger than a tile, per channel', async () => {
      const k = kernels();
      const shape = [7, 3, 333_337];
      const x = ndarray(randomData(size(shape), 53), shape);
      const amax = jsKernels.reduceAmax(x, [1, 2]);
      await expectSameAmax(k, x, [1, 2], true);
      expectSameFloats((await k.fakeTensorQuant(x, amax)).data, jsKernels.fakeTensorQuant(x, amax).data, 'fake 7M');
    });
  });
}
