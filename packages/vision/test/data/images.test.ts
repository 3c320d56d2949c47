// Decoding and transforms against PIL 9.4 / torchvision 0.14 (fixtures/make_images.py), and the
// ImageFolder reader on folders made here.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import {
  IMAGENET_MEAN, IMAGENET_STD, type RgbImage, centerCrop, classificationEvalTransform, classificationTrainTransform, decodeImage, hflip,
  imageFormat, randomResizedCropParams, resize, resizedSize, toNormalizedTensor,
} from '../../src/index.js';
import { imageFolder, loadImageFile } from '../../src/node.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const IMAGES = join(FIXTURES, 'images');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'images.expected.json'), 'utf8')) as {
  decode: Record<string, number[]>;
  transforms: Record<string, { width: number; height: number; data: number[] }>;
  normalized: number[];
};
const src: RgbImage = { width: 37, height: 23, data: new Uint8Array(readFileSync(join(IMAGES, 'src37x23.rgb'))) };
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(IMAGES, name)));

describe('decodeImage', () => {
  it("gives PIL's convert('RGB') pixels exactly for PNGs of every colour type and depth", () => {
    for (const name of ['rgb.png', 'rgba.png', 'grey.png', 'grey-alpha.png', 'palette.png', 'palette-2bit.png', 'bilevel.png', 'rgb16.png']) {
      const img = decodeImage(file(name), name);
      expect([img.width, img.height], name).toEqual([13, 9]);
      expect(Array.from(img.data), name).toEqual(expected.decode[name]);
    }
  });

  it("decodes JPEGs to within a few levels of PIL's libjpeg (the standard leaves the IDCT's rounding and chroma upsampling to the decoder)", () => {
    for (const name of ['rgb.jpg', 'rgb444.jpg', 'grey.jpg']) {
      const img = decodeImage(file(name), name);
      expect([img.width, img.height]).toEqual([13, 9]);
      const ref = expected.decode[name]!;
      let maxDiff = 0;
      let sum = 0;
      img.data.forEach((v, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - ref[i]!));
        sum += Math.abs(v - ref[i]!);
      });
      // jpeg-js is deterministic JS, so these bounds hold on every machine. Grey and 4:4:4 need
      // no chroma upsampling and stay within the IDCT's rounding; for 4:2:0 jpeg-js repeats each
      // chroma sample where libjpeg interpolates ("fancy upsampling"), which on this 13x9 image
      // of per-pixel noise moves some pixels by up to 30 levels.
      expect(maxDiff, name).toBeLessThanOrEqual(name === 'rgb.jpg' ? 32 : 2);
      expect(sum / ref.length, name).toBeLessThan(name === 'rgb.jpg' ? 8 : 0.5);
    }
  });

  it('refuses what is not an image, truncated or corrupt files and oversized headers, naming the source', () => {
    expect(imageFormat(file('rgb.png'))).toBe('png');
    expect(imageFormat(file('rgb.jpg'))).toBe('jpeg');
    expect(() => decodeImage(new TextEncoder().encode('hello world'), 'a.jpg')).toThrow(/a\.jpg: not a JPEG or PNG image \(first bytes 68 65 6c/);
    expect(() => decodeImage(new Uint8Array(0), 'empty.png')).toThrow(/empty\.png: not a JPEG or PNG image \(first bytes none: empty file\)/);
    const png = file('rgb.png');
    expect(() => decodeImage(png.subarray(0, 20), 'cut.png')).toThrow(/cut\.png: truncated PNG/);
    expect(() => decodeImage(png.subarray(0, png.length - 40), 'cut2.png')).toThrow(/cut2\.png: corrupt PNG/);
    const jpg = file('rgb.jpg');
    expect(() => decodeImage(jpg.subarray(0, 60), 'cut.jpg')).toThrow(/cut\.jpg: (truncated|corrupt) JPEG/);
    const garbled = jpg.slice();
    garbled.fill(0x00, 200, 400);
    expect(() => decodeImage(garbled, 'garbled.jpg')).toThrow(/garbled\.jpg: corrupt JPEG/);
    // A header claiming 60000 x 60000 is refused before anything that size is allocated.
    const huge = png.slice();
    new DataView(huge.buffer).setUint32(16, 60000);
    new DataView(huge.buffer).setUint32(20, 60000);
    expect(() => decodeImage(huge, 'huge.png')).toThrow(/huge\.png: 60000x60000 is 3600000000 pixels, more than the limit of 67108864/);
    expect(() => decodeImage(png, 'small.png', { maxPixels: 100 })).toThrow(/13x9 is 117 pixels, more than the limit of 100/);
  });
});

describe('transforms', () => {
  it("equal torchvision's Resize (PIL bilinear, antialiased) and CenterCrop byte for byte", () => {
    const cases: Record<string, (img: RgbImage) => RgbImage> = {
      resize16: (i) => resize(i, 16), resize50: (i) => resize(i, 50), resize10x30: (i) => resize(i, [10, 30]), resize23: (i) => resize(i, 23),
      resize7x37: (i) => resize(i, [7, 37]), centercrop11: (i) => centerCrop(i, 11), centercrop12x20: (i) => centerCrop(i, [12, 20]),
      centercrop40: (i) => centerCrop(i, 40), eval32: (i) => centerCrop(resize(i, 37), 32),
    };
    for (const [name, t] of Object.entries(cases)) {
      const out = t(src);
      const ref = expected.transforms[name]!;
      expect([out.width, out.height], name).toEqual([ref.width, ref.height]);
      expect(Array.from(out.data), name).toEqual(ref.data);
    }
    expect(resizedSize(37, 23, 16)).toEqual({ width: 25, height: 16 });
    expect(() => resize(src, 0)).toThrow(/resize: size must be a positive integer, got 0/);
  });

  it('ToTensor + Normalize give the float32 values torch computes, bit for bit', () => {
    const t = toNormalizedTensor(src, IMAGENET_MEAN, IMAGENET_STD);
    expect(Array.from(new Uint32Array(t.buffer))).toEqual(expected.normalized);
    const out = new Float32Array(5 + t.length);
    toNormalizedTensor(src, IMAGENET_MEAN, IMAGENET_STD, out, 5);
    expect(out.subarray(5)).toEqual(t);
    expect(() => toNormalizedTensor(src, [0.5], [1, 1, 1])).toThrow(/mean and std need 3 values/);
    expect(() => toNormalizedTensor(src, [0, 0, 0], [1, 0, 1])).toThrow(/std must be finite and non-zero/);
  });

  it('random resized crops stay inside the image, and the presets give CHW tensors of the crop size', () => {
    let s = 1;
    const rng = { next: () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646 };
    for (let i = 0; i < 50; i++) {
      const p = randomResizedCropParams(rng, 37, 23);
      expect(p.top >= 0 && p.left >= 0 && p.top + p.height <= 23 && p.left + p.width <= 37 && p.width > 0 && p.height > 0).toBe(true);
    }
    // A draw that never fits falls back to the centre crop clamped to the ratio range.
    expect(randomResizedCropParams({ next: () => 0.999999 }, 100, 10, [1, 1], [20, 30])).toEqual({ top: 2, left: 0, height: 5, width: 100 });
    expect(randomResizedCropParams({ next: () => 0.999999 }, 100, 10, [2, 2])).toEqual({ top: 0, left: 43, height: 10, width: 13 });
    expect(classificationTrainTransform(rng, { cropSize: 16 })(src).length).toBe(3 * 16 * 16);
    const evalT = classificationEvalTransform({ cropSize: 32 });
    expect(evalT(src)).toEqual(toNormalizedTensor(centerCrop(resize(src, 37), 32)));
    expect(hflip(hflip(src))).toEqual(src);
  });
});

describe('imageFolder (torchvision.datasets.ImageFolder)', () => {
  const png = (v: number): Uint8Array => encodePng({ width: 2, height: 2, data: new Uint8Array(12).fill(v), channels: 3, depth: 8 });

  it('lists sorted classes and their images in sorted order, recursing, skipping other files', () => {
    const root = mkdtempSync(join(tmpdir(), 'vision-folder-'));
    for (const [p, v] of [['dog/b.png', 1], ['dog/a.PNG', 2], ['cat/x.png', 3], ['cat/sub/y.png', 4], ['cat/z.jpg', 5]] as const) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), p.endsWith('.jpg') ? file('rgb.jpg') : png(v));
    }
    writeFileSync(join(root, 'cat', 'notes.txt'), 'not an image');
    writeFileSync(join(root, 'README'), 'a file beside the classes');
    const f = imageFolder(root);
    expect(f.classes).toEqual(['cat', 'dog']);
    expect(f.classToIdx['dog']).toBe(1);
    expect(f.samples.map((s) => [s.path.slice(root.length + 1), s.label])).toEqual([
      ['cat/x.png', 0], ['cat/z.jpg', 0], ['cat/sub/y.png', 0], ['dog/a.PNG', 1], ['dog/b.png', 1],
    ]);
    expect(loadImageFile(f.samples[0]!.path).data[0]).toBe(3);
  });

  it('refuses a missing folder, a folder without classes, an empty class and a corrupt file by name', () => {
    const root = mkdtempSync(join(tmpdir(), 'vision-folder-'));
    expect(() => imageFolder(join(root, 'nope'))).toThrow(/image folder .*nope: no such folder/);
    expect(() => imageFolder(root)).toThrow(/no class folders/);
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'x.png'), png(0));
    mkdirSync(join(root, 'b'));
    writeFileSync(join(root, 'b', 'x.txt'), '');
    expect(() => imageFolder(root)).toThrow(/class folder b has no image \(looked for \.jpg, \.jpeg, \.png\)/);
    writeFileSync(join(root, 'a', 'bad.png'), 'garbage');
    expect(() => loadImageFile(join(root, 'a', 'bad.png'))).toThrow(/a\/bad\.png: not a JPEG or PNG image/);
    expect(() => loadImageFile(join(root, 'a', 'missing.png'))).toThrow(/missing\.png: cannot read/);
  });
});
