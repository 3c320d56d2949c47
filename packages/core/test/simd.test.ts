// The WebAssembly SIMD path must be bit-identical to the plain JS loops: run the golden cases
// through it (minBlock lowered so that even short blocks take it) and compare both paths on
// arrays full of ties, NaN, signed zeros, subnormals and out-of-range values.
import { loadGolden } from '@pq/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configureSimd, fakeTensorQuant, ndarray, reduceAmax, simdActive, tensorQuant, type NDArray, type QuantOptions,
} from '../src/index.js';
import { expectBitExact, firstBitDiff, golden } from './helpers.js';

afterEach(() => configureSimd({ enabled: true, minBlock: 1024 }));

const cases = loadGolden('tensor_quant').cases;

/** Fake and real quant with SIMD (small blocks) give the JS loops' bits; returns the JS results. */
function expectSimdMatchesJs(x: NDArray, amax: NDArray, o: QuantOptions): { fakeJs: NDArray; realJs: NDArray } {
  configureSimd({ enabled: false });
  const fakeJs = fakeTensorQuant(x, amax, o);
  const realJs = tensorQuant(x, amax, o).outputs;
  configureSimd({ enabled: true, minBlock: 4 });
  expect(firstBitDiff(fakeTensorQuant(x, amax, o).data, fakeJs.data)).toBe(-1);
  expect(firstBitDiff(tensorQuant(x, amax, o).outputs.data, realJs.data)).toBe(-1);
  return { fakeJs, realJs };
}

function tricky(n: number, unsigned: boolean): NDArray {
  const specials = [0, -0, 0.5, -0.5, 1.5, -2.5, NaN, 1e-45, -1e-40, 3.4e38, -3.4e38, Infinity, -Infinity, 126.5, -127.5];
  let s = 7;
  const data = Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) >>> 0;
    const v = i % 7 === 0 ? specials[(s >>> 8) % specials.length]! : ((s / 2 ** 32) - 0.5) * 10;
    return unsigned ? Math.abs(v) : v;
  });
  return ndarray(data, [8, n / 8]);
}

describe('WebAssembly SIMD kernels', () => {
  it('are available on this runtime (so the fast path is what the tests exercise)', () => {
    expect(simdActive()).toBe(true);
  });

  for (const c of cases) {
    it(`golden "${c.name}" through SIMD`, () => {
      configureSimd({ minBlock: 4 });
      const o = { numBits: c.numBits, unsigned: c.unsigned, narrowRange: c.narrowRange };
      expectBitExact(fakeTensorQuant(golden(c.x), golden(c.amax), o), golden(c.fake), 'fake');
      expectBitExact(tensorQuant(golden(c.x), golden(c.amax), o).outputs, golden(c.quant), 'quant');
    });
  }

  const options: QuantOptions[] = [
    {}, { narrowRange: false }, { numBits: 4 }, { numBits: 16, narrowRange: false }, { numBits: 2 },
    { unsigned: true }, { unsigned: true, numBits: 1 },
  ];
  for (const o of options) {
    it(`matches the JS loops on tricky values ${JSON.stringify(o)}`, () => {
      const x = tricky(8 * 4099, o.unsigned ?? false);
      const amaxes = [ndarray([3]), ndarray([0, 1e-30, 2, 5, 100, 0.001, 3, 4], [8, 1])];
      for (const amax of amaxes) {
        expectSimdMatchesJs(x, amax, o);
      }
    });
  }

  it('matches the JS loops when amax varies along the innermost axes (vector blocks)', () => {
    const amaxFor = (n: number) => Array.from({ length: n }, (_, i) => [0, 1e-30, 0.5, 2, 7, 100][i % 6]!);
    const layouts: [number[], number[]][] = [
      [[3, 1027], [1027]], // a length that is not a multiple of 4
      [[2, 3, 2051], [1, 1, 2051]],
      [[2, 70001], [70001]], // a block longer than one SIMD chunk
      [[4, 6, 1100], [4, 1, 1100]], // the scale vector changes between blocks
    ];
    for (const [shape, aShape] of layouts) {
      const n = shape.reduce((p, q) => p * q, 1);
      const base = tricky(Math.ceil(n / 8) * 8, false).data.subarray(0, n);
      const x = ndarray(base, shape);
      const amax = ndarray(amaxFor(aShape.reduce((p, q) => p * q, 1)), aShape);
      for (const o of [{}, { numBits: 4, narrowRange: false }]) {
        const { fakeJs, realJs } = expectSimdMatchesJs(x, amax, o);
        // real after fake on the same scales, and the default block threshold
        configureSimd({ minBlock: 1024 });
        expect(firstBitDiff(tensorQuant(x, amax, o).outputs.data, realJs.data)).toBe(-1);
        expect(firstBitDiff(fakeTensorQuant(x, amax, o).data, fakeJs.data)).toBe(-1);
      }
    }
  });

  it('reduceAmax matches the JS loop, NaN included', () => {
    const x = tricky(8 * 5003, false);
    const finite = ndarray(x.data.map((v) => (Number.isFinite(v) ? v : 1)), x.shape);
    for (const input of [x, finite]) {
      for (const axis of [null, 1, [1], 0] as const) {
        configureSimd({ enabled: false });
        const js = reduceAmax(input, axis);
        configureSimd({ enabled: true, minBlock: 4 });
        expect(firstBitDiff(reduceAmax(input, axis).data, js.data)).toBe(-1);
      }
    }
    configureSimd({ minBlock: 4 });
    expect(reduceAmax(ndarray([1, 2, 3, NaN, 5, 6, 7, 8])).data[0]).toBeNaN();
    expect(reduceAmax(ndarray([1, -9, 3, 4, 5, 6, 7, 8, 2])).data[0]).toBe(9);
  });
});
