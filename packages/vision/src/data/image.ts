// Image decoding from bytes (no file system): JPEG with jpeg-js and PNG with fast-png, both pure
// JS, to 8-bit RGB as torchvision's default loader has PIL give it (`Image.open(f).convert('RGB')`):
// grey replicated into the three channels, alpha dropped (not composited), palettes looked up.
// An image is untrusted input: the size its header claims is checked against a pixel limit
// before anything is allocated, and a truncated or corrupt file is refused, not patched up.
import jpeg from 'jpeg-js';
import { decode as decodePng } from 'fast-png';

/** An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC), as PIL's 'RGB' mode holds it. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** `height * width * 3` bytes. */
  readonly data: Uint8Array;
}

export type ImageFormat = 'jpeg' | 'png';

export interface DecodeImageOptions {
  /** Refuse images with more pixels than this (default 2^26, about 67 megapixels). */
  maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 2 ** 26;

/** An image that cannot be decoded; the message names the source and the problem. */
export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** 'jpeg' or 'png' from the first bytes, or null. */
export function imageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  return null;
}

function hex(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ') || 'none: empty file';
}

function checkSize(where: string, width: number, height: number, maxPixels: number): void {
  if (!(width > 0 && height > 0)) throw new ImageDecodeError(`${where}: the header gives an empty image (${width}x${height})`);
  if (width * height > maxPixels) {
    throw new ImageDecodeError(`${where}: ${width}x${height} is ${width * height} pixels, more than the limit of ${maxPixels} (option maxPixels)`);
  }
}

/**
 * Decodes a JPEG or PNG to 8-bit RGB. `where` names the source in errors (e.g. the file's path).
 * 16-bit PNG samples keep their high byte.
 */
export function decodeImage(bytes: Uint8Array, where = 'image', o: DecodeImageOptions = {}): RgbImage {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${where}: expected a Uint8Array of file bytes, got ${typeof bytes}`);
  const maxPixels = o.maxPixels ?? DEFAULT_MAX_PIXELS;
  const format = imageFormat(bytes);
  if (format === 'jpeg') return decodeJpeg(bytes, where, maxPixels);
  if (format === 'png') return decodePngRgb(bytes, where, maxPixels);
  throw new ImageDecodeError(`${where}: not a JPEG or PNG image (first bytes ${hex(bytes)})`);
}

/** Width and height from the first SOF marker, walking the segments (bounds-checked). */
function jpegSize(bytes: Uint8Array, where: string): { width: number; height: number } {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) throw new ImageDecodeError(`${where}: corrupt JPEG (no marker at byte ${i})`);
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 9 > bytes.length) break;
      return { height: (bytes[i + 5]! << 8) | bytes[i + 6]!, width: (bytes[i + 7]! << 8) | bytes[i + 8]! };
    }
    if (length < 2) throw new ImageDecodeError(`${where}: corrupt JPEG (segment length ${length} at byte ${i})`);
    i += 2 + length;
  }
  throw new ImageDecodeError(`${where}: truncated JPEG (no frame header in ${bytes.length} bytes)`);
}

function decodeJpeg(bytes: Uint8Array, where: string, maxPixels: number): RgbImage {
  const { width, height } = jpegSize(bytes, where);
  checkSize(where, width, height, maxPixels);
  let out: { width: number; height: number; data: Uint8Array };
  try {
    out = jpeg.decode(bytes, {
      useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((maxPixels * 3 * 4) / 2 ** 20) + 64,
    });
  } catch (e) {
    throw new ImageDecodeError(`${where}: corrupt JPEG (${(e as Error).message})`, { cause: e });
  }
  if (out.width !== width || out.height !== height || out.data.length !== width * height * 3) {
    throw new ImageDecodeError(`${where}: corrupt JPEG (decoded ${out.width}x${out.height}, header ${width}x${height})`);
  }
  return { width, height, data: out.data };
}

/** Width and height from the IHDR chunk, which must come first. */
function pngSize(bytes: Uint8Array, where: string): { width: number; height: number } {
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new ImageDecodeError(`${where}: truncated PNG (no IHDR header in ${bytes.length} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function decodePngRgb(bytes: Uint8Array, where: string, maxPixels: number): RgbImage {
  const { width, height } = pngSize(bytes, where);
  checkSize(where, width, height, maxPixels);
  let png: ReturnType<typeof decodePng>;
  try {
    png = decodePng(bytes);
  } catch (e) {
    throw new ImageDecodeError(`${where}: corrupt PNG (${(e as Error).message})`, { cause: e });
  }
  const { channels, depth, palette } = png;
  const n = width * height;
  const samples = unpackSamples(png.data, width, height, channels, depth, palette === undefined, where);
  const rgb = new Uint8Array(n * 3);
  if (palette) {
    for (let p = 0; p < n; p++) {
      const entry = palette[samples[p]!];
      if (!entry) throw new ImageDecodeError(`${where}: corrupt PNG (palette index ${samples[p]} of ${palette.length} entries)`);
      rgb[3 * p] = entry[0]!;
      rgb[3 * p + 1] = entry[1]!;
      rgb[3 * p + 2] = entry[2]!;
    }
    return { width, height, data: rgb };
  }
  // Grey (1 channel), grey + alpha (2), RGB (3), RGBA (4): alpha dropped, as PIL's convert('RGB').
  const colour = channels >= 3;
  for (let p = 0; p < n; p++) {
    const s = p * channels;
    rgb[3 * p] = samples[s]!;
    rgb[3 * p + 1] = samples[colour ? s + 1 : s]!;
    rgb[3 * p + 2] = samples[colour ? s + 2 : s]!;
  }
  return { width, height, data: rgb };
}

/**
 * The PNG's samples as 8-bit values, `width * height * channels` of them: 16-bit ones by their
 * high byte, 1/2/4-bit grey scaled to 0..255 (x 255, 85, 17 as PIL does) and 1/2/4-bit palette
 * indices unpacked (fast-png leaves sub-byte rows packed).
 */
function unpackSamples(
  data: ArrayLike<number>, width: number, height: number, channels: number, depth: number, grey: boolean, where: string,
): ArrayLike<number> {
  const count = width * height * channels;
  if (depth === 8) {
    if (data.length !== count) throw new ImageDecodeError(`${where}: corrupt PNG (${data.length} samples for ${width}x${height}x${channels})`);
    return data;
  }
  if (depth === 16) {
    if (data.length !== count) throw new ImageDecodeError(`${where}: corrupt PNG (${data.length} samples for ${width}x${height}x${channels})`);
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = data[i]! >> 8;
    return out;
  }
  // Sub-byte depths: grey or palette, one channel, rows packed MSB first, each row byte-aligned.
  const rowBytes = Math.ceil((width * depth) / 8);
  if (channels !== 1 || data.length !== rowBytes * height) {
    throw new ImageDecodeError(`${where}: unsupported PNG (${depth}-bit samples, ${channels} channels, ${data.length} bytes; interlaced low-depth PNGs are not read)`);
  }
  const out = new Uint8Array(width * height);
  const mask = (1 << depth) - 1;
  const scale = grey ? 255 / mask : 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * width + x] = ((data[y * rowBytes + (bit >> 3)]! >> (8 - depth - (bit & 7))) & mask) * scale;
    }
  }
  return out;
}
