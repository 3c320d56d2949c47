// torchvision's image transforms on 8-bit RGB images (transforms.functional on PIL images), with
// PIL's arithmetic: Resize is PIL's bilinear resampling with antialiasing (the filter widened by
// the downscale factor, 22-bit fixed-point weights, a horizontal then a vertical pass, each
// rounded and clipped to 8 bits), CenterCrop rounds its offsets as Python's round() and pads
// with zeros when the crop is larger; ToTensor + Normalize give float32 CHW values computed as
// torch does (`x / 255`, then `(x - mean) / std`, each rounded to float32).
import type { RgbImage } from './image.js';

/** ImageNet's per-channel mean and standard deviation (torchvision's classification presets). */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** A source of uniform floats in [0, 1) (e.g. @pq/app-kit's mulberry32). */
export interface UniformSource {
  next(): number;
}

/** PIL's fixed-point precision for 8-bit resampling weights. */
const PRECISION_BITS = 32 - 8 - 2;

function bilinear(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/** Per output index: the first input index, the count, and the fixed-point weights (PIL's precompute_coeffs). */
function coefficients(inSize: number, outSize: number): { first: Int32Array; count: Int32Array; weights: Int32Array; ksize: number } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = bilinear((x + xmin - center + 0.5) * ss);
      ww += k[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x]! / ww : k[x]!;
      weights[o * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    first[o] = xmin;
    count[o] = xmax;
  }
  return { first, count, weights, ksize };
}

function clip8(v: number): number {
  if (v >= 1 << PRECISION_BITS << 8) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / (1 << PRECISION_BITS));
}

/** One resampling pass along x (rows kept) or y (columns kept) of a `w x h x 3` image. */
function resamplePass(src: Uint8Array, w: number, h: number, outLen: number, alongX: boolean): Uint8Array {
  const inLen = alongX ? w : h;
  const { first, count, weights, ksize } = coefficients(inLen, outLen);
  const ow = alongX ? outLen : w;
  const oh = alongX ? h : outLen;
  const out = new Uint8Array(ow * oh * 3);
  const half = 1 << (PRECISION_BITS - 1);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const o = alongX ? x : y;
      const start = first[o]!;
      const n = count[o]!;
      for (let c = 0; c < 3; c++) {
        let ss = half;
        for (let i = 0; i < n; i++) {
          const sx = alongX ? start + i : x;
          const sy = alongX ? y : start + i;
          ss += src[(sy * w + sx) * 3 + c]! * weights[o * ksize + i]!;
        }
        out[(y * ow + x) * 3 + c] = clip8(ss);
      }
    }
  }
  return out;
}

/** The output size of torchvision's Resize(size): an int sets the shorter side (the longer one scaled and truncated). */
export function resizedSize(width: number, height: number, size: number | readonly [number, number]): { width: number; height: number } {
  if (typeof size !== 'number') return { height: size[0], width: size[1] };
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newLong = Math.trunc((size * long) / short);
  return width <= height ? { width: size, height: newLong } : { width: newLong, height: size };
}

function checkSize(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer, got ${v}`);
}

/**
 * torchvision's `Resize(size)` with bilinear interpolation on a PIL image: `size` a number sets
 * the shorter side, `[height, width]` the exact size.
 */
export function resize(img: RgbImage, size: number | readonly [number, number]): RgbImage {
  if (typeof size === 'number') checkSize('resize: size', size);
  else size.forEach((v, i) => checkSize(`resize: size[${i}]`, v));
  const { width, height } = resizedSize(img.width, img.height, size);
  checkSize('resize: output width', width);
  checkSize('resize: output height', height);
  let data = img.data;
  let w = img.width;
  if (width !== img.width) {
    data = resamplePass(data, img.width, img.height, width, true);
    w = width;
  }
  if (height !== img.height) data = resamplePass(data, w, img.height, height, false);
  return { width, height, data: data === img.data ? data.slice() : data };
}

/** The `height x width` region at (top, left); parts outside the image are zero (as PIL's crop). */
export function crop(img: RgbImage, top: number, left: number, height: number, width: number): RgbImage {
  checkSize('crop: height', height);
  checkSize('crop: width', width);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= img.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = left + x;
      if (sx < 0 || sx >= img.width) continue;
      const s = (sy * img.width + sx) * 3;
      const d = (y * width + x) * 3;
      out[d] = img.data[s]!;
      out[d + 1] = img.data[s + 1]!;
      out[d + 2] = img.data[s + 2]!;
    }
  }
  return { width, height, data: out };
}

/** Python's round(): halves to even. */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * torchvision's `CenterCrop(size)` (a number for a square, or `[height, width]`): offsets
 * `round((H - h) / 2)`, `round((W - w) / 2)`; an image smaller than the crop is first padded
 * with zeros, (d // 2) before and the rest after.
 */
export function centerCrop(img: RgbImage, size: number | readonly [number, number]): RgbImage {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  let src = img;
  if (w > img.width || h > img.height) {
    const padLeft = w > img.width ? Math.floor((w - img.width) / 2) : 0;
    const padTop = h > img.height ? Math.floor((h - img.height) / 2) : 0;
    src = crop(img, -padTop, -padLeft, Math.max(h, img.height), Math.max(w, img.width));
    if (src.width === w && src.height === h) return src;
  }
  return crop(src, pyRound((src.height - h) / 2), pyRound((src.width - w) / 2), h, w);
}

/** Mirror left to right (`hflip`). */
export function hflip(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const s = (y * img.width + x) * 3;
      const d = (y * img.width + (img.width - 1 - x)) * 3;
      out[d] = img.data[s]!;
      out[d + 1] = img.data[s + 1]!;
      out[d + 2] = img.data[s + 2]!;
    }
  }
  return { width: img.width, height: img.height, data: out };
}

/**
 * ToTensor then Normalize: float32 CHW values `(x / 255 - mean[c]) / std[c]`, each step rounded
 * to float32 as torch computes it, written into `out` at `offset` (a fresh array by default).
 */
export function toNormalizedTensor(
  img: RgbImage,
  mean: readonly number[] = IMAGENET_MEAN,
  std: readonly number[] = IMAGENET_STD,
  out: Float32Array = new Float32Array(3 * img.width * img.height),
  offset = 0,
): Float32Array {
  if (mean.length !== 3 || std.length !== 3) throw new RangeError(`toNormalizedTensor: mean and std need 3 values, got ${mean.length} and ${std.length}`);
  if (std.some((s) => !(Number.isFinite(s) && s !== 0))) throw new RangeError(`toNormalizedTensor: std must be finite and non-zero, got [${std.join(', ')}]`);
  const plane = img.width * img.height;
  if (offset < 0 || offset + 3 * plane > out.length) throw new RangeError(`toNormalizedTensor: ${3 * plane} values do not fit at offset ${offset} of ${out.length}`);
  // The table holds every 8-bit value's result per channel (each computed as torch does).
  for (let c = 0; c < 3; c++) {
    const m = Math.fround(mean[c]!);
    const s = Math.fround(std[c]!);
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = Math.fround(Math.fround(Math.fround(v / 255) - m) / s);
    const base = offset + c * plane;
    for (let p = 0; p < plane; p++) out[base + p] = table[img.data[p * 3 + c]!]!;
  }
  return out;
}

/**
 * torchvision's `RandomResizedCrop.get_params`: up to 10 draws of an area fraction in `scale`
 * and a log-uniform aspect ratio in `ratio`, the first that fits giving a uniformly placed
 * crop; otherwise the centre crop of the image clamped to `ratio`. Draws come from `rng`.
 */
export function randomResizedCropParams(
  rng: UniformSource,
  width: number,
  height: number,
  scale: readonly [number, number] = [0.08, 1],
  ratio: readonly [number, number] = [3 / 4, 4 / 3],
): { top: number; left: number; height: number; width: number } {
  const area = width * height;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * (scale[0] + (scale[1] - scale[0]) * rng.next());
    const aspect = Math.exp(logRatio[0] + (logRatio[1] - logRatio[0]) * rng.next());
    const w = pyRound(Math.sqrt(targetArea * aspect));
    const h = pyRound(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = Math.floor(rng.next() * (height - h + 1));
      const left = Math.floor(rng.next() * (width - w + 1));
      return { top, left, height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(...ratio)) h = pyRound(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) w = pyRound(h * Math.max(...ratio));
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

export interface ClassificationTransformOptions {
  /** Side of the square image the model sees (torchvision's crop_size; default 224). */
  cropSize?: number;
  /** Evaluation: the shorter side before the centre crop (default round(cropSize * 256 / 224)). */
  resizeSize?: number;
  mean?: readonly number[];
  std?: readonly number[];
}

/** torchvision's ClassificationPresetEval: Resize(resizeSize), CenterCrop(cropSize), ToTensor, Normalize. */
export function classificationEvalTransform(o: ClassificationTransformOptions = {}): (img: RgbImage, out?: Float32Array, offset?: number) => Float32Array {
  const cropSize = o.cropSize ?? 224;
  const resizeSize = o.resizeSize ?? Math.round((cropSize * 256) / 224);
  checkSize('cropSize', cropSize);
  checkSize('resizeSize', resizeSize);
  return (img, out, offset) => toNormalizedTensor(centerCrop(resize(img, resizeSize), cropSize), o.mean, o.std, out, offset);
}

/**
 * torchvision's ClassificationPresetTrain without augmentation policies: RandomResizedCrop(cropSize),
 * RandomHorizontalFlip(0.5), ToTensor, Normalize, the randomness drawn from `rng`.
 */
export function classificationTrainTransform(
  rng: UniformSource,
  o: ClassificationTransformOptions = {},
): (img: RgbImage, out?: Float32Array, offset?: number) => Float32Array {
  const cropSize = o.cropSize ?? 224;
  checkSize('cropSize', cropSize);
  return (img, out, offset) => {
    const p = randomResizedCropParams(rng, img.width, img.height);
    let x = resize(crop(img, p.top, p.left, p.height, p.width), [cropSize, cropSize]);
    if (rng.next() < 0.5) x = hflip(x);
    return toNormalizedTensor(x, o.mean, o.std, out, offset);
  };
}
