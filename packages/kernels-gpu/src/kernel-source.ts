// The gpu.js kernel sources, as strings. gpu.js transpiles a kernel's JavaScript source to
// WGSL, GLSL or WebAssembly; passing source text (not a function object) keeps any TypeScript
// or test-runner transform from touching it. Helpers are inlined as statements because gpu.js
// cannot infer the argument types of nested functions on every backend.
//
// Float32 discipline: every float op the reference does in float32 is wrapped in Math.fround.
// On webasm/GL/WebGPU the values already are float32 (fround is the identity there); on the
// `cpu` backend, which computes in float64 JavaScript, fround makes each result identical.
// Index arithmetic stays below 2^24 (see limits.ts) so it is exact in float32.

/**
 * `t = floor(a / b)` for non-negative integers a < 2^24, b >= 1. Float division may be off by
 * one ulp on some GPUs (gpu.js's fixIntegerDivisionAccuracy exists for that reason); the two
 * exact integer products correct it on every backend.
 */
function intDiv(t: string, a: string, b: string): string {
  return `let ${t} = Math.floor((${a}) / (${b}));
  if (${t} * (${b}) > (${a})) { ${t} = ${t} - 1; } else if ((${t} + 1) * (${b}) <= (${a})) { ${t} = ${t} + 1; }`;
}

/**
 * `t = rint(v)`: round half to even, keeping the sign of zero and NaN. Written with floor
 * because GLSL/WGSL `round` leaves ties implementation-defined and gpu.js lowers Math.round to
 * floor(v + 0.5), which double-rounds in float32. `v - floor(v)` is exact for every float.
 * A zero result takes v's sign by negation: GPU shader compilers fold `v * 0` to +0.
 */
function rint(t: string, v: string): string {
  return `const ${t}F = Math.floor(${v});
  const ${t}D = ${v} - ${t}F;
  let ${t} = ${t}F;
  if (${t}D > 0.5) { ${t} = ${t}F + 1; } else if (${t}D == 0.5) { ${t} = ${t}F + (${t}F - 2 * Math.floor(${t}F * 0.5)); }
  if (${t} == 0 && ${v} < 0) { ${t} = -${t}; }`;
}

/**
 * `q = clamp(rint(fround(x * s)), lo, hi)`, clamping first (equivalent: the bounds are
 * integers), so that rint never meets an infinity from an overflowing product.
 */
function quantize(xExpr: string, sExpr: string): string {
  return `const v = Math.min(Math.max(Math.fround(${xExpr} * ${sExpr}), lo), hi);
  ${rint('q', 'v')}`;
}

/**
 * What a quantization kernel returns: the integer (`quant`), `q / scale` (`fake`), or `q / scale`
 * looked up in a host-computed table (`fake-table`). GLSL and WGSL allow float32 division to be
 * off by ulps; the table holds `fround(q / scale)` for every integer level of every scale the
 * tile touches, so a GPU computes fake quant with multiplies, floors and comparisons only.
 */
export type QuantOutput = 'quant' | 'fake' | 'fake-table';

function quantResult(output: QuantOutput, scale: string, block: string): string {
  if (output === 'quant') return 'return q;';
  if (output === 'fake') return `return Math.fround(q / ${scale});`;
  // q is an integer in [lo, hi] or NaN; +-0 keeps its sign (0 / scale is 0, or NaN when scale is 0)
  return `const j = q == q ? ${block}(q - lo) : 0;
  let out = tbl[j];
  if (q == 0) { out = q * (tbl[j] + 1); }
  if (q != q) { out = q; }
  return out;`;
}

/** Per-tensor quantization: one scale for the whole tile. */
export function quantScalarSource(output: QuantOutput): string {
  const div = output === 'fake-table' ? 'tbl' : 'sd';
  return `function (x, sq, ${div}, lo, hi) {
  ${quantize('x[this.thread.x]', 'sq')}
  ${quantResult(output, 'sd', '')}
}`;
}

/**
 * Quantization with a scale per block of `blk` consecutive elements, periodic with period
 * `per` blocks. The tile starts `first` elements before its first block boundary; `sq`/`sd`
 * hold the scales of the tile's blocks, rotated so that the tile's first block is index 0
 * (`tbl`: `levels` quotients per block instead of `sd`).
 */
export function quantBlockedSource(output: QuantOutput): string {
  const div = output === 'fake-table' ? 'tbl' : 'sd';
  return `function (x, sq, ${div}, first, blk, per, lo, hi, levels) {
  const i = this.thread.x;
  let k = 0;
  if (i >= first) {
    const off = i - first;
    ${intDiv('kb', 'off', 'blk')}
    k = kb + 1;
  }
  ${intDiv('kp', 'k', 'per')}
  const m = k - per * kp;
  ${quantize('x[i]', 'sq[m]')}
  ${quantResult(output, 'sd[m]', 'm * levels + ')}
}`;
}

/**
 * One reduction pass over x viewed as [A, rows, inner]: cell (a, j, b) of the [A, J, inner]
 * output is the max of |x[a, r, b]| over the `chunk` rows r = j*chunk, ... . NaN-sticky where
 * Math.max is (wasm f32.max, JavaScript); GPU backends set NaN cells on the host (specials.ts).
 * The loop bound is a constant because WebGL 1 (GLSL ES 1.0) allows no other.
 */
export function absMaxPassSource(chunk: number): string {
  return `function (x, rows, inner, jn) {
  const o = this.thread.x;
  ${intDiv('t', 'o', 'inner')}
  const b = o - t * inner;
  ${intDiv('a', 't', 'jn')}
  const j = t - a * jn;
  const r0 = j * ${chunk};
  const base = (a * rows + r0) * inner + b;
  const count = Math.min(${chunk}, rows - r0);
  let m = 0;
  for (let i = 0; i < ${chunk}; i++) {
    if (i < count) { m = Math.max(m, Math.abs(x[base + i * inner])); }
  }
  return m;
}`;
}

/**
 * The histogram bin of |x| with torch.histc's float32 formula, exactly as @pq/core computes
 * it: `trunc(fround(fround(fround(v - left) * bins) / width))`, the value equal to `right`
 * going to the last bin; -1 for values outside [left, right], NaN, and (with skipZeros) zeros.
 */
export function histogramBinSource(skipZeros: boolean): string {
  return `function (x, left, right, width, bins) {
  const v = Math.abs(x[this.thread.x]);
  let pos = -1;
  if (v >= left && v <= right${skipZeros ? ' && v != 0' : ''}) {
    pos = Math.floor(Math.fround(Math.fround(Math.fround(v - left) * bins) / width));
    if (pos >= bins) { pos = bins - 1; }
  }
  return pos;
}`;
}

/**
 * The same bin without a division, for GPUs: `thr[k]` is the smallest float32 `a` with
 * `fround(a / width) >= k` (computed on the host), so the bin of `a = fround(fround(v - left) *
 * bins)` is the largest k with `thr[k] <= a` — a binary search of exact comparisons.
 */
export function histogramSearchSource(skipZeros: boolean, bins: number): string {
  const steps: string[] = [];
  for (let s = 2 ** Math.floor(Math.log2(Math.max(1, bins - 1))); s >= 1 && bins > 1; s /= 2) {
    steps.push(`c = Math.min(pos + ${s}, bins - 1);
    if (pos + ${s} <= bins - 1 && thr[c] <= a) { pos = c; }`);
  }
  return `function (x, left, right, thr, bins) {
  const v = Math.abs(x[this.thread.x]);
  let pos = -1;
  if (v >= left && v <= right${skipZeros ? ' && v != 0' : ''}) {
    const a = Math.fround(Math.fround(v - left) * bins);
    pos = 0;
    let c = 0;
    ${steps.join('\n    ')}
  }
  return pos;
}`;
}
