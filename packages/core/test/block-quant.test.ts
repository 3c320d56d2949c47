// Block-wise quantization against a straightforward reference: per element, find its block by
// integer division of each index, take that block's amax (a plain max loop), and apply the
// reference formula. Bit-exact on the JS loops and the SIMD path, for many layouts.
import { afterEach, describe, expect, it } from 'vitest';
import {
  blockAmaxShape, blockQuant, configureSimd, e4m3BlockQuant, e4m3Round, fakeBlockQuant, fakeBlockQuantGrad,
  fakeBlockQuantInto, fakeTensorQuant, ndarray, reduceAmax, reduceBlockAmax, rint, scaledE4M3, scaledE4M3Block,
  shapeSize, shapeStrides, type BlockSizes, type NDArray,
} from '../src/index.js';
import { expectBitExact } from './helpers.js';

afterEach(() => configureSimd({ enabled: true, minBlock: 1024 }));

/** For each element of `shape`, the flat index of its block in the amax. */
function blockIndexOf(shape: number[], blockSizes: BlockSizes): { index: Int32Array; amaxShape: number[] } {
  const rank = shape.length;
  const sizes = shape.map((n, i) => {
    const key = Object.keys(blockSizes).find((k) => (Number(k) + rank) % rank === i);
    if (key === undefined) return 1;
    const v = blockSizes[Number(key)];
    return v === null || v === undefined ? n : v;
  });
  const amaxShape = shape.map((n, i) => Math.ceil(n / sizes[i]!));
  const xs = shapeStrides(shape);
  const as = shapeStrides(amaxShape);
  const index = new Int32Array(shapeSize(shape));
  for (let f = 0; f < index.length; f++) {
    let a = 0;
    for (let d = 0; d < rank; d++) a += Math.floor(Math.floor(f / xs[d]!) % shape[d]! / sizes[d]!) * as[d]!;
    index[f] = a;
  }
  return { index, amaxShape };
}

function refAmax(x: NDArray, blockSizes: BlockSizes): NDArray {
  const { index, amaxShape } = blockIndexOf([...x.shape], blockSizes);
  const out = new Float32Array(shapeSize(amaxShape));
  for (let i = 0; i < index.length; i++) {
    const v = Math.abs(x.data[i]!);
    const k = index[i]!;
    if (Number.isNaN(v) || Number.isNaN(out[k]!)) out[k] = NaN;
    else out[k] = Math.max(out[k]!, v);
  }
  return { data: out, shape: amaxShape };
}

function refQuant(x: NDArray, amax: NDArray, blockSizes: BlockSizes, numBits: number, unsigned: boolean, narrow: boolean, fake: boolean): Float32Array {
  const { index } = blockIndexOf([...x.shape], blockSizes);
  const hi = 2 ** (numBits - 1 + (unsigned ? 1 : 0)) - 1;
  const lo = unsigned ? 0 : narrow ? -hi : -hi - 1;
  const out = new Float32Array(index.length);
  for (let i = 0; i < index.length; i++) {
    const a = amax.data[index[i]!]!;
    const tiny = a <= 2 ** -24;
    const scale = tiny ? 0 : Math.fround(hi / a);
    const q = Math.min(hi, Math.max(lo, rint(Math.fround(x.data[i]! * scale))));
    out[i] = fake ? q / (tiny ? 1 : scale) : q;
  }
  return out;
}

function refE4M3(x: NDArray, amax: NDArray, blockSizes: BlockSizes): Float32Array {
  const { index } = blockIndexOf([...x.shape], blockSizes);
  const out = new Float32Array(index.length);
  for (let i = 0; i < index.length; i++) {
    const a = amax.data[index[i]!]!;
    const v = x.data[i]!;
    if (a <= 2 ** -24 || Math.abs(v) < 2 ** -24) continue;
    const scale = Math.fround(448 / a);
    out[i] = e4m3Round(Math.fround(v * scale)) / scale;
  }
  return out;
}

function data(shape: number[], seed: number): NDArray {
  const n = shapeSize(shape);
  const specials = [0, -0, 0.5, -2.5, 1e-30, 7.25, -7.25];
  let s = seed;
  const d = Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) >>> 0;
    return i % 11 === 3 ? specials[(s >>> 8) % specials.length]! : ((s / 2 ** 32) - 0.5) * 6 * (1 + (i % 5));
  });
  // A block of zeros (amax 0) at the start.
  for (let i = 0; i < Math.min(3, n); i++) d[i] = 0;
  return ndarray(d, shape);
}

const layouts: Array<[number[], BlockSizes]> = [
  [[4, 256], { [-1]: 128 }],
  [[3, 300], { [-1]: 128 }], // a partial last block in every row
  [[2, 3, 70], { [-1]: 32 }],
  [[2, 5, 7], { 2: 3 }],
  [[130, 6], { 0: 64 }], // blocks down the first axis (the last axis keeps an amax per index)
  [[9, 10], { [-1]: 4, [-2]: 4 }], // 2-D blocks with partial edges
  [[2, 6, 5], { 1: 4 }],
  [[3, 4, 5], { [-1]: null }], // per row
  [[5, 64], { [-1]: 1000 }], // a block larger than the axis
  [[3, 30000], { [-1]: 100 }], // one long run over several SIMD chunks
];

describe('block-wise quantization matches a reference loop bit for bit', () => {
  for (const [shape, bs] of layouts) {
    for (const simd of [false, true]) {
      it(`${JSON.stringify(shape)} ${JSON.stringify(bs)} ${simd ? 'SIMD' : 'JS'}`, () => {
        configureSimd(simd ? { enabled: true, minBlock: 4 } : { enabled: false });
        const x = data(shape, shape.length * 31 + shape[0]!);
        const amax = reduceBlockAmax(x, bs);
        expectBitExact(amax, refAmax(x, bs), 'amax');
        expect(blockAmaxShape(shape, bs)).toEqual(amax.shape);
        for (const [numBits, unsigned, narrow] of [[8, false, true], [4, false, false], [2, false, true], [3, false, false]] as const) {
          const o = { numBits, unsigned, narrowRange: narrow };
          expectBitExact(fakeBlockQuant(x, amax, bs, o), ndarray(refQuant(x, amax, bs, numBits, unsigned, narrow, true), shape), `fake ${numBits}`);
          const real = blockQuant(x, amax, bs, o);
          expectBitExact(real.outputs, ndarray(refQuant(x, amax, bs, numBits, unsigned, narrow, false), shape), `real ${numBits}`);
          expect(real.scale.shape).toEqual(amax.shape);
        }
        const ax = ndarray(x.data.map(Math.abs), shape);
        const aAmax = reduceBlockAmax(ax, bs);
        expectBitExact(fakeBlockQuant(ax, aAmax, bs, { numBits: 4, unsigned: true }), ndarray(refQuant(ax, aAmax, bs, 4, true, true, true), shape), 'unsigned');
        expectBitExact(scaledE4M3Block(x, amax, bs), ndarray(refE4M3(x, amax, bs), shape), 'e4m3');
      });
    }
  }

  it('agrees with per-channel fakeTensorQuant and scaledE4M3 when a block is a whole row or tensor', () => {
    const x = data([6, 40], 5);
    const row = reduceBlockAmax(x, { [-1]: null });
    expectBitExact(row, reduceAmax(x, 1), 'row amax');
    expectBitExact(fakeBlockQuant(x, row, { 1: 40 }, { numBits: 4 }), fakeTensorQuant(x, row, { numBits: 4 }));
    const whole = reduceBlockAmax(x, { 0: null, 1: null });
    expect(whole.shape).toEqual([1, 1]);
    expectBitExact(scaledE4M3Block(x, whole, { 0: null, 1: null }), scaledE4M3(x, whole.data[0]));
  });

  it('real E4M3 returns the scaled codes and 448/amax per block (1 for a zero block)', () => {
    const x = ndarray([0, 0, 0.3, -1, 600, 2], [1, 6]);
    const { outputs, scale } = e4m3BlockQuant(x, reduceBlockAmax(x, { [-1]: 2 }), { [-1]: 2 });
    expect(Array.from(scale.data)).toEqual([1, 448, Math.fround(448 / 600)]);
    expect(Array.from(outputs.data)).toEqual([0, 0, e4m3Round(Math.fround(0.3 * 448)), -448, 448, e4m3Round(Math.fround(2 * Math.fround(448 / 600)))]);
  });

  it('Into writes in place; one number is the amax of every block; the gradient passes |x| <= block amax', () => {
    const x = ndarray([0.5, -2, 3, 0.25, 1, -1], [2, 3]);
    const want = fakeBlockQuant(x, ndarray([2, 3, 1, 1], [2, 2]), { [-1]: 2 }, { numBits: 4 });
    const copy = ndarray(x.data.slice(), x.shape);
    fakeBlockQuantInto(copy, ndarray([2, 3, 1, 1], [2, 2]), { [-1]: 2 }, copy.data, { numBits: 4 });
    expectBitExact(copy, want);
    expectBitExact(fakeBlockQuant(x, 1, { [-1]: 2 }), fakeTensorQuant(x, 1));
    const g = fakeBlockQuantGrad(x, ndarray([2, 2, 1, 1], [2, 2]), { [-1]: 2 }, ndarray([1, 2, 3, 4, 5, 6], [2, 3]));
    expect(Array.from(g.data)).toEqual([1, 2, 0, 4, 5, 6]);
  });

  it('NaN in a block makes its amax NaN, and a NaN amax is refused', () => {
    const x = ndarray([1, NaN, 2, 3], [1, 4]);
    const a = reduceBlockAmax(x, { [-1]: 2 });
    expect(Number.isNaN(a.data[0]!)).toBe(true);
    expect(a.data[1]).toBe(3);
    expect(() => fakeBlockQuant(x, a, { [-1]: 2 })).toThrow('amax must be finite and non-negative, got NaN (at index 0)');
  });
});

describe('block-wise quantization errors', () => {
  const x = ndarray(new Float32Array(12), [3, 4]);
  it('bad block sizes name the key and value', () => {
    expect(() => reduceBlockAmax(x, {})).toThrow('blockSizes names no axis');
    expect(() => reduceBlockAmax(x, { [-1]: 0 })).toThrow('block size of axis -1 must be a positive integer or null, got 0');
    expect(() => reduceBlockAmax(x, { [-1]: 2.5 })).toThrow(/got 2.5/);
    expect(() => reduceBlockAmax(x, { 2: 4 })).toThrow('axis 2 is out of range for rank 2');
    expect(() => reduceBlockAmax(x, { [-1]: 2, 1: 2 })).toThrow('keys 1 and -1 are the same axis of an input of rank 2');
    expect(() => reduceBlockAmax(x, { type: 'static' } as unknown as BlockSizes)).toThrow("key 'type' is not an axis");
    expect(() => reduceBlockAmax(ndarray([1], []), { [-1]: 2 })).toThrow('rank >= 1');
  });
  it('an amax of the wrong shape names both shapes', () => {
    expect(() => fakeBlockQuant(x, ndarray([1, 1], [2]), { [-1]: 2 })).toThrow(
      'amax shape [2] does not match the blocks of input shape [3, 4] (block sizes [1, 2] need amax shape [3, 2])',
    );
  });
  it('negative amax, unsigned negative input, numBits, non-finite E4M3 amax, out size', () => {
    expect(() => fakeBlockQuant(x, -1, { [-1]: 2 })).toThrow('amax must be finite and non-negative, got -1');
    expect(() => fakeBlockQuant(ndarray([-1, 1], [1, 2]), 1, { [-1]: 2 }, { unsigned: true })).toThrow('negative input -1');
    expect(() => fakeBlockQuant(x, 1, { [-1]: 2 }, { numBits: 1 })).toThrow(/numBits must be an integer in 2..16/);
    expect(() => scaledE4M3Block(x, Infinity, { [-1]: 2 })).toThrow('amax must be finite and non-negative, got Infinity (at index 0)');
    expect(() => fakeBlockQuantInto(x, 1, { [-1]: 2 }, new Float32Array(3))).toThrow('out must be a Float32Array of 12 elements');
  });
});

describe('QuantDescriptor blockSizes', () => {
  it('keeps ModelOpt-style block sizes, round-trips them and prints them as Python does', async () => {
    const { QuantDescriptor } = await import('../src/index.js');
    const d = new QuantDescriptor({ numBits: 4, blockSizes: { [-1]: 128, type: 'static' } });
    expect(d.blockSizes).toEqual({ '-1': 128, type: 'static' });
    expect(String(d)).toBe("QuantDescriptor(4bit fake block_sizes={-1: 128, 'type': 'static'})");
    expect(QuantDescriptor.fromJSON(JSON.parse(JSON.stringify(d))).equals(d)).toBe(true);
    expect(QuantDescriptor.fromJSON({ num_bits: 4, block_sizes: { '-1': null } }).blockSizes).toEqual({ '-1': null });
    expect(d.equals(d.with({ blockSizes: { [-1]: 64 } }))).toBe(false);
    expect(() => new QuantDescriptor({ axis: 0, blockSizes: { [-1]: 128 } })).toThrow('axis must be null when blockSizes is set');
    expect(() => new QuantDescriptor({ blockSizes: { [-1]: 128, type: 'auto' as never } })).toThrow("blockSizes type must be 'static' or 'dynamic'");
    expect(() => new QuantDescriptor({ blockSizes: { [-1]: 16, scale_bits: [4, 3] } as never })).toThrow("blockSizes 'scale_bits' (quantized block scales) is not supported");
    expect(() => new QuantDescriptor({ blockSizes: { type: 'dynamic' } })).toThrow('blockSizes names no axis');
    expect(() => new QuantDescriptor({ blockSizes: { [-1]: 0 } })).toThrow('block size of axis -1 must be a positive integer or null, got 0');
  });
});
