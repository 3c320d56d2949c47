import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMnistPackageDigits } from '@pq/app-kit/node';
import { IMAGENET_MEAN, IMAGENET_STD, resize, toNormalizedTensor } from '@pq/vision';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { digitImage, embeddedDigits, folderData, limitData, normalisation, subsetIndices } from '../src/data/index.js';

const digits = readMnistPackageDigits();

describe('the embedded digits', () => {
  it('are the 8,004 / 1,996 split of apps/lenet as 3-channel 32x32 images, normalised with ImageNet statistics', () => {
    const data = embeddedDigits(32, normalisation(null, null), digits);
    expect([data.train.count, data.val.count, data.classes.length, data.imageSize]).toEqual([8004, 1996, 10, 32]);
    // Sample 4 of digit 0's file is the first validation image.
    const raw = digits[0]!.slice(4 * 784, 5 * 784);
    const img = digitImage(raw, 32);
    expect([img.width, img.height]).toEqual([32, 32]);
    const grey = { width: 28, height: 28, data: Uint8Array.from({ length: 784 * 3 }, (_, i) => Math.round(raw[Math.floor(i / 3)]! * 255)) };
    expect(img).toEqual(resize(grey, [32, 32]));
    const b = data.val.batch([0, 1], false);
    expect([b.count, b.size, b.images.length, Array.from(b.labels)]).toEqual([2, 32, 2 * 3 * 1024, [0, 0]]);
    expect(b.images.subarray(0, 3 * 1024)).toEqual(toNormalizedTensor(img, IMAGENET_MEAN, IMAGENET_STD));
    expect(data.train.batch([0], true).images).toEqual(data.train.batch([0], false).images);
  });

  it('limits to seeded subsets kept in order', () => {
    const s = subsetIndices(100, 10, 7);
    expect(s.length).toBe(10);
    expect(Array.from(s)).toEqual([...s].sort((a, b) => a - b));
    expect(subsetIndices(100, 10, 7)).toEqual(s);
    expect(subsetIndices(5, null, 0)).toEqual(Int32Array.from([0, 1, 2, 3, 4]));
    const data = limitData(embeddedDigits(8, normalisation(null, null), digits.map((d) => d.slice(0, 10 * 784))), 20, 5, 1);
    expect([data.train.count, data.val.count]).toEqual([20, 5]);
  });
});

describe('--data image folders', () => {
  const png = (v: number, w = 40, h = 30): Uint8Array => encode({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(v), channels: 3, depth: 8 });
  const tree = (files: Record<string, Uint8Array | string>): string => {
    const root = mkdtempSync(join(tmpdir(), 'classify-data-'));
    for (const [p, bytes] of Object.entries(files)) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), bytes);
    }
    return root;
  };
  const o = { imageSize: 16, resizeSize: null, norm: normalisation([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]), seed: 0 };

  it('reads train/ and val/ with the classification presets and the given normalisation', () => {
    const root = tree({ 'train/cat/a.png': png(255), 'train/dog/b.png': png(0), 'val/cat/c.png': png(255), 'val/dog/d.png': png(0, 20, 50) });
    const data = folderData(root, o);
    expect(data.classes).toEqual(['cat', 'dog']);
    expect([data.train.count, data.val.count]).toEqual([2, 2]);
    const b = data.val.batch([0, 1], false);
    expect(Array.from(b.labels)).toEqual([0, 1]);
    expect(b.images.length).toBe(2 * 3 * 256);
    expect([b.images[0], b.images[3 * 256]]).toEqual([1, -1]); // (255/255 - 0.5) / 0.5, (0 - 0.5) / 0.5
    expect(data.train.batch([1], true).images.every((v) => v === -1)).toBe(true);
  });

  it('refuses a missing folder, a missing split, an empty class, mismatched classes and a corrupt image, naming them', () => {
    expect(() => folderData('/nonexistent/pq-data', o)).toThrow(/--data \/nonexistent\/pq-data: image folder \/nonexistent\/pq-data\/train: no such folder/);
    expect(() => folderData(tree({ 'train/a/x.png': png(1) }), o)).toThrow(/val: no such folder/);
    expect(() => folderData(tree({ 'train/a/x.png': png(1), 'train/b/notes.txt': 'x', 'val/a/y.png': png(1) }), o)).toThrow(/class folder b has no image/);
    expect(() => folderData(tree({ 'train/a/x.png': png(1), 'train/b/x.png': png(1), 'val/a/y.png': png(1), 'val/c/y.png': png(1) }), o)).toThrow(
      /train and val have different classes \(only in train: b; only in val: c\)/,
    );
    const root = tree({ 'train/a/x.png': png(1), 'train/b/broken.png': 'garbage', 'val/a/y.png': png(1), 'val/b/z.jpg': png(1).subarray(0, 30) });
    const data = folderData(root, o);
    expect(() => data.train.batch([1], true)).toThrow(/train\/b\/broken\.png: not a JPEG or PNG image/);
    expect(() => data.val.batch([1], false)).toThrow(/val\/b\/z\.jpg: (truncated|corrupt) PNG/);
  });
});
