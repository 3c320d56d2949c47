// Run by isa.test.ts in a child process, with or without PQ_KERNELS_ISA=avx2: products and
// convolutions on the addon itself, printed as {isa, results: base64 bits}.
import { createRequire } from 'node:module';

const binding = createRequire(import.meta.url)('../build/pq_kernels.node');

function random(n, seed) {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const results = [];
// Products with edge tiles of every width (1-8, 9-16, 17-31 and whole 32-column tiles), a
// reduction longer than one block, both orientations.
for (const [m, n, k] of [[13, 45, 300], [64, 33, 7], [7, 100, 40], [50, 3, 70], [96, 64, 513]]) {
  for (const [ta, tb] of [[false, false], [true, true]]) {
    const c = new Float32Array(m * n);
    binding.matmul(random(m * k, 1), random(k * n, 2), c, 1, m, n, k, ta, tb, 2);
    results.push(c);
  }
}
// Convolutions: [batch, inH, inW, inC, outH, outW, outC, fH, fW, strideH, strideW, padTop, padLeft, channelsFirst]
for (const g of [
  [2, 9, 14, 40, 9, 14, 24, 3, 3, 1, 1, 1, 1, 0], [3, 12, 12, 1, 8, 8, 10, 5, 5, 1, 1, 0, 0, 0], [1, 8, 8, 16, 8, 8, 70, 1, 1, 1, 1, 0, 0, 0],
  [2, 9, 14, 40, 9, 14, 24, 3, 3, 1, 1, 1, 1, 1], [1, 5, 33, 7, 5, 33, 9, 3, 3, 1, 1, 1, 1, 1],
]) {
  const [b, ih, iw, ic, oh, ow, oc, fh, fw] = g;
  const x = random(b * ih * iw * ic, 3), w = random(fh * fw * ic * oc, 4), dy = random(b * oh * ow * oc, 5);
  const y = new Float32Array(dy.length), dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  const geometry = Int32Array.from(g);
  binding.conv2d(x, w, y, geometry, 2);
  binding.conv2dBackpropInput(dy, w, dx, geometry, 2);
  binding.conv2dBackpropFilter(x, dy, dw, geometry, 2);
  results.push(y, dx, dw);
}
console.log(JSON.stringify({ isa: binding.isa(), results: results.map((r) => Buffer.from(r.buffer).toString('base64')) }));
