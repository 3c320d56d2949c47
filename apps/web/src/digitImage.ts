// A drawn digit made to look like an MNIST sample, as MNIST's own preprocessing did: the ink's
// bounding box scaled to fit 20x20 (aspect kept), placed in 28x28 so that its centre of mass
// sits at the centre, then normalised as LeNet's training data.
import { IMAGE_SIZE, normalisePixel } from '@pq/lenet-app/browser';

const BOX = 20;

/** `ink`: a `size` x `size` coverage map in [0, 1] (row-major). Null when nothing is drawn. */
export function toMnistImage(ink: Float32Array, size: number): { raw: Float32Array; normalised: Float32Array } | null {
  let x0 = size, y0 = size, x1 = -1, y1 = -1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (ink[y * size + x]! > 0.05) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = BOX / Math.max(w, h);
  // Box-filter the bounding box down to (w*scale) x (h*scale) pixels.
  const bw = Math.max(1, Math.round(w * scale));
  const bh = Math.max(1, Math.round(h * scale));
  const box = new Float32Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const sx0 = x0 + Math.floor((bx * w) / bw), sx1 = x0 + Math.max(Math.floor(((bx + 1) * w) / bw), Math.floor((bx * w) / bw) + 1);
      const sy0 = y0 + Math.floor((by * h) / bh), sy1 = y0 + Math.max(Math.floor(((by + 1) * h) / bh), Math.floor((by * h) / bh) + 1);
      let sum = 0;
      for (let y = sy0; y < sy1; y++) for (let x = sx0; x < sx1; x++) sum += ink[y * size + x]!;
      box[by * bw + bx] = sum / ((sx1 - sx0) * (sy1 - sy0));
    }
  }
  let mass = 0, cx = 0, cy = 0;
  for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) {
    const v = box[by * bw + bx]!;
    mass += v; cx += v * bx; cy += v * by;
  }
  const ox = Math.round(IMAGE_SIZE / 2 - (mass > 0 ? cx / mass : bw / 2) - 0.5);
  const oy = Math.round(IMAGE_SIZE / 2 - (mass > 0 ? cy / mass : bh / 2) - 0.5);
  const raw = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);
  for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) {
    const x = bx + ox, y = by + oy;
    if (x >= 0 && x < IMAGE_SIZE && y >= 0 && y < IMAGE_SIZE) raw[y * IMAGE_SIZE + x] = Math.min(1, box[by * bw + bx]!);
  }
  return { raw, normalised: raw.map(normalisePixel) };
}
