// Standard MNIST IDX files (http://yann.lecun.com/exdb/mnist/), optionally gzipped.
// Header: 2 zero bytes, a type byte (0x08 = unsigned byte), a dimension count, then one
// big-endian uint32 per dimension; the data follows, row-major.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { IMAGE_SIZE, type MnistData, makeSplit } from './dataset.js';

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UBYTE = 0x08;

/** Parses an IDX byte buffer; `file` only names the source in errors. */
export function parseIdx(bytes: Uint8Array, file: string, expectedRank: number): IdxArray {
  if (bytes.length < 4) throw new Error(`${file}: truncated: ${bytes.length} bytes, too short for the 4-byte IDX magic`);
  const magicHex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UBYTE || bytes[3] !== expectedRank) {
    throw new Error(
      `${file}: bad magic 0x${magicHex}: expected 0x000008${expectedRank.toString(16).padStart(2, '0')} ` +
        `(unsigned bytes, ${expectedRank} dimension${expectedRank > 1 ? 's' : ''})`,
    );
  }
  const headerBytes = 4 + 4 * expectedRank;
  if (bytes.length < headerBytes) {
    throw new Error(`${file}: truncated: ${bytes.length} bytes, the header alone needs ${headerBytes}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < expectedRank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual < expected) {
    throw new Error(`${file}: truncated: dimensions [${dims.join(', ')}] need ${expected} data bytes, found ${actual}`);
  }
  if (actual > expected) {
    throw new Error(`${file}: ${actual - expected} bytes after the data of dimensions [${dims.join(', ')}]`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads `DIR/name` or `DIR/name.gz`, gunzipping when the content is gzip. */
export function readIdxFile(dir: string, name: string, expectedRank: number): IdxArray {
  const candidates = [join(dir, name), join(dir, `${name}.gz`)];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`--data ${dir}: missing ${name} (looked for ${candidates.join(' and ')})`);
  let bytes: Uint8Array = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${file}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  return parseIdx(bytes, file, expectedRank);
}

function readSplit(dir: string, prefix: 'train' | 't10k') {
  const imagesName = `${prefix}-images-idx3-ubyte`;
  const labelsName = `${prefix}-labels-idx1-ubyte`;
  const images = readIdxFile(dir, imagesName, 3);
  const labels = readIdxFile(dir, labelsName, 1);
  const [n, rows, cols] = images.dims as [number, number, number];
  if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new Error(`${join(dir, imagesName)}: images are ${rows}x${cols}, expected ${IMAGE_SIZE}x${IMAGE_SIZE}`);
  }
  if (labels.dims[0] !== n) {
    throw new Error(`${join(dir, labelsName)}: count mismatch: ${labels.dims[0]} labels for ${n} images in ${imagesName}`);
  }
  const lab = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.data[i]!;
    if (v > 9) throw new Error(`${join(dir, labelsName)}: label ${v} at index ${i} is not a digit 0-9`);
    lab[i] = v;
  }
  // ToTensor: uint8 -> float32 / 255.
  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.fround(images.data[i]! / 255);
  return makeSplit(pixels, lab);
}

/** The standard train (60,000) and t10k (10,000) splits from a directory of IDX files. */
export function loadIdxDir(dir: string): MnistData {
  if (!existsSync(dir)) throw new Error(`--data ${dir}: no such directory`);
  return { source: `IDX files in ${dir}`, train: readSplit(dir, 'train'), test: readSplit(dir, 't10k') };
}
