import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  PIXELS,
  batchesInOrder,
  calibrationIndices,
  gather,
  loadIdxDir,
  loadMnistPackage,
  normalisePixel,
  parseIdx,
  splitDigits,
} from '../src/data/index.js';

describe('normalisePixel', () => {
  it('computes (x - 0.1307) / 0.3081 in float32', () => {
    expect(normalisePixel(0)).toBe(Math.fround(Math.fround(-Math.fround(0.1307)) / Math.fround(0.3081)));
    expect(normalisePixel(1)).toBeCloseTo((1 - 0.1307) / 0.3081, 6);
    expect(Math.fround(normalisePixel(0.5))).toBe(normalisePixel(0.5));
  });
});

describe('splitDigits', () => {
  it('puts sample j of each digit file in test when j % 5 == 4, digit by digit in file order', () => {
    // digit d has 6 samples whose first pixel encodes (d, j).
    const digits = Array.from({ length: 10 }, (_, d) => {
      const px = new Array<number>(6 * PIXELS).fill(0);
      for (let j = 0; j < 6; j++) px[j * PIXELS] = (d * 10 + j) / 100;
      return px;
    });
    const { train, test } = splitDigits(digits);
    expect(train.count).toBe(50);
    expect(test.count).toBe(10);
    const firstPixel = (images: Float32Array, i: number): number => Math.round((images[i * PIXELS]! * 0.3081 + 0.1307) * 100) + 0;
    expect(Array.from({ length: 6 }, (_, i) => firstPixel(train.images, i))).toEqual([0, 1, 2, 3, 5, 10]);
    expect(Array.from(test.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(firstPixel(test.images, 3)).toBe(34);
    expect(Array.from(train.labels.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('gives 8,004 / 1,996 on the embedded mnist package, normalised', () => {
    const d = loadMnistPackage();
    expect(d.source).toBe('mnist package');
    expect([d.train.count, d.test.count]).toEqual([8004, 1996]);
    expect(d.train.images.length).toBe(8004 * PIXELS);
    let min = Infinity;
    let max = -Infinity;
    for (const v of d.train.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(normalisePixel(0));
    expect(max).toBe(normalisePixel(1));
    const counts = new Array<number>(10).fill(0);
    for (const l of d.test.labels) counts[l]!++;
    expect(counts).toEqual([200, 225, 198, 206, 196, 172, 202, 214, 188, 195]);
  });
});

describe('calibration subset and batches', () => {
  it('takes every 16th training sample counted from 1: 500 of 8,004', () => {
    const idx = calibrationIndices(8004, 16);
    expect(idx.length).toBe(500);
    expect([idx[0], idx[1], idx[499]]).toEqual([15, 31, 7999]);
    expect(() => calibrationIndices(10, 0)).toThrow(/every must be an integer >= 1, got 0/);
  });

  it('batches in order with a short last batch, and gathers by index', () => {
    const images = new Float32Array(5 * PIXELS).map((_, i) => Math.floor(i / PIXELS));
    const split = { images, labels: Int32Array.from([0, 1, 2, 3, 4]), count: 5 };
    expect([...batchesInOrder(split, 2)].map((b) => Array.from(b.labels))).toEqual([[0, 1], [2, 3], [4]]);
    const g = gather(split, [4, 0]);
    expect(Array.from(g.labels)).toEqual([4, 0]);
    expect(g.images[0]).toBe(4);
    expect(g.images[PIXELS]).toBe(0);
    expect(() => gather(split, [5])).toThrow(/index 5 outside \[0, 5\)/);
  });
});

function idx(type: number, dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function writeMnistDir(o: { nTrain: number; nTest: number; gzip?: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), 'lenet-idx-'));
  const put = (name: string, bytes: Uint8Array): void =>
    o.gzip ? writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes)) : writeFileSync(join(dir, name), bytes);
  for (const [prefix, n] of [['train', o.nTrain], ['t10k', o.nTest]] as const) {
    const pixels = new Uint8Array(n * PIXELS).map((_, i) => (Math.floor(i / PIXELS) * 51) % 256);
    put(`${prefix}-images-idx3-ubyte`, idx(8, [n, 28, 28], pixels));
    put(`${prefix}-labels-idx1-ubyte`, idx(8, [n], new Uint8Array(n).map((_, i) => i % 10)));
  }
  return dir;
}

describe('IDX files (--data)', () => {
  it('reads plain and gzipped files, pixels / 255 then normalised', () => {
    for (const gzip of [false, true]) {
      const d = loadIdxDir(writeMnistDir({ nTrain: 6, nTest: 3, gzip }));
      expect([d.train.count, d.test.count]).toEqual([6, 3]);
      expect(Array.from(d.train.labels)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(d.train.images[PIXELS]).toBe(normalisePixel(Math.fround(51 / 255)));
      expect(d.source).toMatch(/^IDX files in /);
    }
  });

  it('names the file and the problem: missing, bad magic, truncated, trailing bytes, count mismatch, bad label', () => {
    const dir = writeMnistDir({ nTrain: 4, nTest: 2 });
    const images = join(dir, 'train-images-idx3-ubyte');
    const labels = join(dir, 'train-labels-idx1-ubyte');
    expect(() => loadIdxDir(join(dir, 'nope'))).toThrow(/--data .*nope: no such directory/);

    writeFileSync(images, idx(9, [4, 28, 28], new Uint8Array(4 * PIXELS)));
    expect(() => loadIdxDir(dir)).toThrow(/train-images-idx3-ubyte: bad magic 0x00000903: expected 0x00000803/);

    writeFileSync(images, idx(8, [4, 28, 28], new Uint8Array(3 * PIXELS)));
    expect(() => loadIdxDir(dir)).toThrow(/train-images-idx3-ubyte: truncated: dimensions \[4, 28, 28\] need 3136 data bytes, found 2352/);

    writeFileSync(images, new Uint8Array([0, 0, 8, 3, 0]));
    expect(() => loadIdxDir(dir)).toThrow(/train-images-idx3-ubyte: truncated: 5 bytes, the header alone needs 16/);

    writeFileSync(images, idx(8, [4, 28, 28], new Uint8Array(4 * PIXELS + 3)));
    expect(() => loadIdxDir(dir)).toThrow(/train-images-idx3-ubyte: 3 bytes after the data/);

    writeFileSync(images, idx(8, [4, 20, 20], new Uint8Array(4 * 400)));
    expect(() => loadIdxDir(dir)).toThrow(/train-images-idx3-ubyte: images are 20x20, expected 28x28/);

    writeFileSync(images, idx(8, [4, 28, 28], new Uint8Array(4 * PIXELS)));
    writeFileSync(labels, idx(8, [5], new Uint8Array(5)));
    expect(() => loadIdxDir(dir)).toThrow(/train-labels-idx1-ubyte: count mismatch: 5 labels for 4 images/);

    writeFileSync(labels, idx(8, [4], Uint8Array.from([1, 2, 12, 3])));
    expect(() => loadIdxDir(dir)).toThrow(/train-labels-idx1-ubyte: label 12 at index 2 is not a digit/);

    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), new Uint8Array([0x1f, 0x8b, 1, 2, 3]));
    writeFileSync(labels, idx(8, [4], Uint8Array.from([1, 2, 3, 4])));
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    expect(() => loadIdxDir(dir)).toThrow(/t10k-labels-idx1-ubyte\.gz: corrupt gzip data/);
    rmSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    expect(() => loadIdxDir(dir)).toThrow(/missing t10k-labels-idx1-ubyte \(looked for .* and .*\.gz\)/);
  });

  it('parseIdx rejects a buffer shorter than the magic', () => {
    expect(() => parseIdx(new Uint8Array(2), 'x.idx', 1)).toThrow(/x\.idx: truncated: 2 bytes/);
  });
});
