// The oracle: plain loops with float64 accumulation. Each op is written once, as an "exact" form
// that also returns, per output element, Σ|a_i·b_i| over the products summed into it (the tests'
// error bound scales with it); referenceKernels rounds the float64 sums to float32.
import { channelsFirstDirect, type Conv2dGeometry, type CpuKernels, type Pool2dGeometry } from './kernels.js';
import { checkBatchNorm, checkChannelAffine, checkChannelSums, checkConv, checkDepthwiseForward, checkFakeQuantSwap, checkMatmul, checkMomentumStep, checkPool, checkSwap, checkTranspose } from './validate.js';

/** Round half to even, keeping the sign of zero (Math.round rounds halves up). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `body(i)` for every element of channel `ch` of [n, c, s], in (image, position) order. */
function forChannel(ch: number, n: number, c: number, s: number, body: (i: number) => void): void {
  for (let img = 0; img < n; img++) {
    for (let i = (img * c + ch) * s, end = i + s; i < end; i++) body(i);
  }
}

/** `body(a, at in x [outer, middle, inner], at in y [inner, middle, outer])` for every element. */
function forEachSwapped(outer: number, middle: number, inner: number, body: (a: number, xAt: number, yAt: number) => void): void {
  for (let a = 0; a < outer; a++) {
    for (let b = 0; b < middle; b++) {
      for (let c = 0; c < inner; c++) body(a, (a * middle + b) * inner + c, (c * middle + b) * outer + a);
    }
  }
}

/** Float64 results, Σ|a_i·b_i| per element, and how many products each element sums (at most). */
export interface ExactResult {
  value: Float64Array;
  absSum: Float64Array;
  terms: number;
}

export function matmulExact(
  a: Float32Array, b: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean,
): ExactResult {
  const value = new Float64Array(batch * m * n);
  const absSum = new Float64Array(batch * m * n);
  // Element (i, p) of op(a) is at a[aBase + i*aRow + p*aCol]; likewise (p, j) of op(b).
  const [aRow, aCol] = transA ? [1, m] : [k, 1];
  const [bRow, bCol] = transB ? [1, k] : [n, 1];
  for (let t = 0; t < batch; t++) {
    const aBase = t * m * k;
    const bBase = t * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let s1 = 0;
        for (let p = 0; p < k; p++) {
          const prod = a[aBase + i * aRow + p * aCol]! * b[bBase + p * bRow + j * bCol]!;
          s += prod;
          s1 += Math.abs(prod);
        }
        value[(t * m + i) * n + j] = s;
        absSum[(t * m + i) * n + j] = s1;
      }
    }
  }
  return { value, absSum, terms: k };
}

/**
 * Calls `tap(xPixel, yPixel, filterTap)` (offsets of an input pixel's channels, an output pixel's
 * channels and filter tap (fy, fx)'s [inC, outC] block) for every (output pixel, tap) pair whose
 * input pixel lies inside the input, in a fixed order.
 */
function forEachTap(g: Conv2dGeometry, tap: (xPixel: number, yPixel: number, filterTap: number) => void): void {
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        const yPixel = ((b * g.outHeight + oy) * g.outWidth + ox) * g.outChannels;
        for (let fy = 0; fy < g.filterHeight; fy++) {
          const iy = oy * g.strideHeight - g.padTop + fy;
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let fx = 0; fx < g.filterWidth; fx++) {
            const ix = ox * g.strideWidth - g.padLeft + fx;
            if (ix < 0 || ix >= g.inWidth) continue;
            tap(((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels, yPixel, (fy * g.filterWidth + fx) * g.inChannels * g.outChannels);
          }
        }
      }
    }
  }
}

export function conv2dExact(x: Float32Array, filter: Float32Array, g: Conv2dGeometry): ExactResult {
  const value = new Float64Array(g.batch * g.outHeight * g.outWidth * g.outChannels);
  const absSum = new Float64Array(value.length);
  const { inChannels: ci, outChannels: co } = g;
  forEachTap(g, (xp, yp, ft) => {
    for (let i = 0; i < ci; i++) {
      const xv = x[xp + i]!;
      for (let o = 0; o < co; o++) {
        const prod = xv * filter[ft + i * co + o]!;
        value[yp + o]! += prod;
        absSum[yp + o]! += Math.abs(prod);
      }
    }
  });
  return { value, absSum, terms: g.filterHeight * g.filterWidth * ci };
}

export function conv2dBackpropInputExact(dy: Float32Array, filter: Float32Array, g: Conv2dGeometry): ExactResult {
  const value = new Float64Array(g.batch * g.inHeight * g.inWidth * g.inChannels);
  const absSum = new Float64Array(value.length);
  const { inChannels: ci, outChannels: co } = g;
  forEachTap(g, (xp, yp, ft) => {
    for (let i = 0; i < ci; i++) {
      let s = 0;
      let s1 = 0;
      for (let o = 0; o < co; o++) {
        const prod = dy[yp + o]! * filter[ft + i * co + o]!;
        s += prod;
        s1 += Math.abs(prod);
      }
      value[xp + i]! += s;
      absSum[xp + i]! += s1;
    }
  });
  // An input pixel is reached by at most ceil(fh / sh) x ceil(fw / sw) taps, each summing outC products.
  const taps = Math.ceil(g.filterHeight / g.strideHeight) * Math.ceil(g.filterWidth / g.strideWidth);
  return { value, absSum, terms: taps * co };
}

export function conv2dBackpropFilterExact(x: Float32Array, dy: Float32Array, g: Conv2dGeometry): ExactResult {
  const value = new Float64Array(g.filterHeight * g.filterWidth * g.inChannels * g.outChannels);
  const absSum = new Float64Array(value.length);
  const { inChannels: ci, outChannels: co } = g;
  forEachTap(g, (xp, yp, ft) => {
    for (let i = 0; i < ci; i++) {
      const xv = x[xp + i]!;
      for (let o = 0; o < co; o++) {
        const prod = xv * dy[yp + o]!;
        value[ft + i * co + o]! += prod;
        absSum[ft + i * co + o]! += Math.abs(prod);
      }
    }
  });
  return { value, absSum, terms: g.batch * g.outHeight * g.outWidth };
}

/**
 * The depthwise gradients in float32 exactly as the native kernels compute them: each term a
 * rounded product added with one rounding, in forEachTap's order (for every output element, the
 * same order as the native loops and @pq/nn's wasm kernel), so the tests compare bit for bit.
 */
function depthwiseProducts(g: Conv2dGeometry, out: Float32Array, term: (xPixel: number, yPixel: number, tap: number, c: number) => [number, number, number]): void {
  out.fill(0);
  const f = Math.fround;
  forEachTap(g, (xPixel, yPixel, filterTap) => {
    const tap = filterTap / g.outChannels; // forEachTap's offset of an [inC, outC] block; here a tap holds inC values
    for (let c = 0; c < g.inChannels; c++) {
      const [at, a, b] = term(xPixel, yPixel, tap, c);
      out[at] = f(out[at]! + f(a * b));
    }
  });
}

/** x[b, c, iy, ix] of a channels-first plane, 0 outside the input (padding). */
function planeValue(a: Float32Array, plane: number, h: number, w: number, iy: number, ix: number): number {
  return iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : a[(plane * h + iy) * w + ix]!;
}

/**
 * The channels-first depthwise kernels' float32 sums, term for term in the native kernels' order
 * (padding taps included, as they multiply zeros), so the tests compare bit for bit.
 */
function depthwiseChannelsFirst(mode: 'y' | 'dx' | 'dFilter', g: Conv2dGeometry, a: Float32Array, b: Float32Array, out: Float32Array): void {
  const f = Math.fround;
  const { batch, inChannels: C, inHeight: ih, inWidth: iw, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = g;
  const ix = (ox: number, fx: number): number => ox * g.strideWidth - g.padLeft + fx;
  const iy = (oy: number, fy: number): number => oy * g.strideHeight - g.padTop + fy;
  const w = (fy: number, fx: number, c: number): number => b[(fy * fw + fx) * C + c]!;
  if (mode === 'y') {  // a = x, b = filter: taps in (fy, fx) order from +0
    for (let p = 0; p < batch * C; p++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          for (let fy = 0; fy < fh; fy++) for (let fx = 0; fx < fw; fx++) s = f(s + f(w(fy, fx, p % C) * planeValue(a, p, ih, iw, iy(oy, fy), ix(ox, fx))));
          out[(p * oh + oy) * ow + ox] = s;
        }
      }
    }
    return;
  }
  if (mode === 'dx' && g.strideHeight === 1 && g.strideWidth === 1) {
    // dy convolved with the filter turned half a turn, over the padding f - 1 - pad
    const taps = fh * fw;
    const turned = new Float32Array(b.length);
    for (let t = 0; t < taps; t++) turned.set(b.subarray((taps - 1 - t) * C, (taps - t) * C), t * C);
    const t: Conv2dGeometry = {
      ...g, inHeight: oh, inWidth: ow, outHeight: ih, outWidth: iw, padTop: fh - 1 - g.padTop, padLeft: fw - 1 - g.padLeft,
    };
    depthwiseChannelsFirst('y', t, a, turned, out);
    return;
  }
  if (mode === 'dx') {  // a = dy, b = filter: terms in (oy, fy, fx, ox) order
    out.fill(0);
    for (let p = 0; p < batch * C; p++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let fy = 0; fy < fh; fy++) {
          for (let fx = 0; fx < fw; fx++) {
            for (let ox = 0; ox < ow; ox++) {
              const [y, x] = [iy(oy, fy), ix(ox, fx)];
              if (y < 0 || y >= ih || x < 0 || x >= iw) continue;
              const at = (p * ih + y) * iw + x;
              out[at] = f(out[at]! + f(w(fy, fx, p % C) * a[(p * oh + oy) * ow + ox]!));
            }
          }
        }
      }
    }
    return;
  }
  // a = x, b = dy: eight lanes per tap along ox (lane ox mod 8), over (b, oy, ox), summed in lane order.
  for (let c = 0; c < C; c++) {
    for (let fy = 0; fy < fh; fy++) {
      for (let fx = 0; fx < fw; fx++) {
        const lanes = new Float32Array(8);
        for (let n = 0; n < batch; n++) {
          const p = n * C + c;
          for (let oy = 0; oy < oh; oy++) {
            for (let ox = 0; ox < ow; ox++) lanes[ox % 8] = f(lanes[ox % 8]! + f(planeValue(a, p, ih, iw, iy(oy, fy), ix(ox, fx)) * b[(p * oh + oy) * ow + ox]!));
          }
        }
        out[(fy * fw + fx) * C + c] = lanes.reduce((s, v) => f(s + v), 0);
      }
    }
  }
}

/**
 * y = x with its axes permuted (CpuKernels.transpose), one element at a time through Uint32Array
 * views: a float32 read as a number could lose a NaN's payload, a 32-bit word cannot.
 */
export function transposeInto(x: Float32Array | Int32Array, y: Float32Array | Int32Array, shape: readonly number[], perm: readonly number[]): void {
  const from = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const to = new Uint32Array(y.buffer, y.byteOffset, y.length);
  const rank = shape.length;
  const inStride = shape.map((_, a) => shape.slice(a + 1).reduce((s, d) => s * d, 1));
  const outShape = perm.map((p) => shape[p]!);
  const index = new Array<number>(rank).fill(0); // y's multi-index, last axis fastest
  for (let o = 0; o < to.length; o++) {
    let i = 0;
    for (let a = 0; a < rank; a++) i += index[a]! * inStride[perm[a]!]!;
    to[o] = from[i]!;
    for (let a = rank - 1; a >= 0 && ++index[a]! === outShape[a]; a--) index[a] = 0;
  }
}

/**
 * Max pooling's gradient, exact by construction: no products, each dy value added (in float32,
 * dx being a Float32Array) to one cell, windows in row-major order, channels innermost. The
 * first maximum of a window wins (strict >, rows then columns, from -Infinity).
 */
function maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, g: Pool2dGeometry): void {
  const C = g.channels;
  const row = g.inWidth * C;
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    const image = b * g.inHeight * row;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const r0 = oy * g.strideHeight - g.padTop;
      const rMin = Math.max(r0, 0), rMax = Math.min(r0 + g.filterHeight, g.inHeight);
      for (let ox = 0; ox < g.outWidth; ox++) {
        const c0 = ox * g.strideWidth - g.padLeft;
        const cMin = Math.max(c0, 0), cMax = Math.min(c0 + g.filterWidth, g.inWidth);
        for (let d = 0; d < C; d++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let r = rMin; r < rMax; r++) {
            for (let c = cMin, i = image + r * row + cMin * C + d; c < cMax; c++, i += C) {
              if (x[i]! > best) {
                best = x[i]!;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at]! += dy[o]!;
        }
      }
    }
  }
}

/** Activation `a` (x or y of g) channels last: a copy when g is channels first, else `a` itself. */
export function channelsLast(a: Float32Array, g: Conv2dGeometry, role: 'x' | 'y'): Float32Array {
  if (g.channelsFirst !== true) return a;
  const [c, h, w] = role === 'x' ? [g.inChannels, g.inHeight, g.inWidth] : [g.outChannels, g.outHeight, g.outWidth];
  const out = new Float32Array(a.length);
  transposeInto(a, out, [g.batch, c, h, w], [0, 2, 3, 1]);
  return out;
}

/** `out` = `nhwc` (x or y of g) in g's layout. */
function storeActivation(nhwc: Float64Array, out: Float32Array, g: Conv2dGeometry, role: 'x' | 'y'): void {
  if (g.channelsFirst !== true) {
    out.set(nhwc);
    return;
  }
  const [c, h, w] = role === 'x' ? [g.inChannels, g.inHeight, g.inWidth] : [g.outChannels, g.outHeight, g.outWidth];
  transposeInto(Float32Array.from(nhwc), out, [g.batch, h, w, c], [0, 3, 1, 2]);
}

/** The kernels as plain JavaScript loops: slow, simple, and the tests' oracle. */
export const referenceKernels: CpuKernels = {
  name: 'reference',
  threads: 1,
  matmul(a, b, c, batch, m, n, k, transA, transB) {
    checkMatmul(a, b, c, batch, m, n, k, transA, transB);
    c.set(matmulExact(a, b, batch, m, n, k, transA, transB).value);
  },
  conv2d(x, filter, y, g) {
    checkConv('conv2d', g, [['x', x, 'x'], ['filter', filter, 'filter'], ['y', y, 'y']]);
    storeActivation(conv2dExact(channelsLast(x, g, 'x'), filter, g).value, y, g, 'y');
  },
  conv2dBackpropInput(dy, filter, dx, g) {
    checkConv('conv2dBackpropInput', g, [['dy', dy, 'y'], ['filter', filter, 'filter'], ['dx', dx, 'x']]);
    storeActivation(conv2dBackpropInputExact(channelsLast(dy, g, 'y'), filter, g).value, dx, g, 'x');
  },
  conv2dBackpropFilter(x, dy, dFilter, g) {
    checkConv('conv2dBackpropFilter', g, [['x', x, 'x'], ['dy', dy, 'y'], ['dFilter', dFilter, 'filter']]);
    dFilter.set(conv2dBackpropFilterExact(channelsLast(x, g, 'x'), channelsLast(dy, g, 'y'), g).value);
  },
  depthwiseConv2d(x, filter, y, g) {
    checkDepthwiseForward(g);
    checkConv('depthwiseConv2d', g, [['x', x, 'x'], ['filter', filter, 'depthwiseFilter'], ['y', y, 'y']], true);
    depthwiseChannelsFirst('y', g, x, filter, y);
  },
  depthwiseConv2dBackpropInput(dy, filter, dx, g) {
    checkConv('depthwiseConv2dBackpropInput', g, [['dy', dy, 'y'], ['filter', filter, 'depthwiseFilter'], ['dx', dx, 'x']], true);
    if (g.channelsFirst === true) depthwiseChannelsFirst('dx', g, dy, filter, dx);
    else depthwiseProducts(g, dx, (xPixel, yPixel, tap, c) => [xPixel + c, dy[yPixel + c]!, filter[tap + c]!]);
  },
  depthwiseConv2dBackpropFilter(x, dy, dFilter, g) {
    checkConv('depthwiseConv2dBackpropFilter', g, [['x', x, 'x'], ['dy', dy, 'y'], ['dFilter', dFilter, 'depthwiseFilter']], true);
    if (g.channelsFirst === true) depthwiseChannelsFirst('dFilter', g, x, dy, dFilter);
    else depthwiseProducts(g, dFilter, (xPixel, yPixel, tap, c) => [tap + c, x[xPixel + c]!, dy[yPixel + c]!]);
  },
  channelSums(x, sums, outer, channels, inner) {
    checkChannelSums(x, sums, outer, channels, inner);
    const s = new Float32Array(1);
    for (let c = 0; c < channels; c++) {
      s[0] = 0;
      for (let o = 0; o < outer; o++) {
        for (let i = 0, at = (o * channels + c) * inner; i < inner; i++, at++) s[0] += x[at]!;
      }
      sums[c] = s[0]!;
    }
  },
  channelAffine(x, scale, shift, y, outer, channels, inner) {
    checkChannelAffine(x, scale, shift, y, outer, channels, inner);
    const f = Math.fround;
    for (let o = 0, at = 0; o < outer; o++) {
      for (let c = 0; c < channels; c++) {
        for (let i = 0; i < inner; i++, at++) y[at] = f(x[at]! * scale[c]!) + shift[c]!;
      }
    }
  },
  batchNormTrain(x, weight, bias, y, mean, variance, n, c, s, eps) {
    checkBatchNorm('batchNormTrain', n, c, s, eps, [['x', x], ['y', y]], [['weight', weight], ['bias', bias], ['mean', mean], ['variance', variance]]);
    const count = n * s;
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      forChannel(ch, n, c, s, (i) => (sum += x[i]!));
      const m = sum / count;
      let squares = 0;
      forChannel(ch, n, c, s, (i) => {
        const d = x[i]! - m;
        squares += d * d;
      });
      const v = squares / count;
      const alpha = weight[ch]! / Math.sqrt(v + eps);
      const beta = bias[ch]! - m * alpha;
      forChannel(ch, n, c, s, (i) => (y[i] = x[i]! * alpha + beta));
      mean[ch] = m;
      variance[ch] = v;
    }
  },
  batchNormTrainGrad(dy, x, mean, variance, weight, dx, dWeight, dBias, n, c, s, eps) {
    checkBatchNorm('batchNormTrainGrad', n, c, s, eps, [['dy', dy], ['x', x], ['dx', dx]], [['mean', mean], ['variance', variance], ['weight', weight], ['dWeight', dWeight], ['dBias', dBias]]);
    const count = n * s;
    for (let ch = 0; ch < c; ch++) {
      const m = mean[ch]!;
      const invstd = 1 / Math.sqrt(variance[ch]! + eps);
      let sumDy = 0;
      let sumDyXc = 0;
      forChannel(ch, n, c, s, (i) => {
        const g = dy[i]!;
        sumDy += g;
        sumDyXc += g * (x[i]! - m);
      });
      const k = weight[ch]! * invstd;
      const meanDy = sumDy / count;
      const proj = (sumDyXc * invstd * invstd) / count;
      forChannel(ch, n, c, s, (i) => (dx[i] = k * (dy[i]! - meanDy - (x[i]! - m) * proj)));
      dWeight[ch] = sumDyXc * invstd;
      dBias[ch] = sumDy;
    }
  },
  fakeQuantSwap(x, y, outer, middle, inner, scale, divisor, lo, hi) {
    checkFakeQuantSwap(x, y, outer, middle, inner, scale, divisor, lo, hi);
    const f = Math.fround;
    const [l, h] = [f(lo), f(hi)];
    forEachSwapped(outer, middle, inner, (a, xAt, yAt) => {
      let q = f(x[xAt]! * scale[a]!);
      q = q < l ? l : q;
      q = h < q ? h : q;
      y[yAt] = roundHalfEven(q) / divisor[a]!;
    });
  },
  straightThroughSwap(x, dy, dx, outer, middle, inner, bound) {
    checkSwap('straightThroughSwap', outer, middle, inner, [['x', x], ['dy', dy], ['dx', dx]], [['bound', bound]]);
    forEachSwapped(outer, middle, inner, (a, xAt, yAt) => {
      dx[xAt] = Math.abs(x[xAt]!) <= bound[a]! ? dy[yAt]! : 0;
    });
  },
  channelsFirstDirect,
  momentumStep(p, v, g, pOut, vOut, c, m, nesterov) {
    checkMomentumStep(p, v, g, pOut, vOut, c, m, nesterov);
    const f = Math.fround;
    const [cf, mf] = [f(c), f(m)];
    for (let i = 0; i < p.length; i++) {
      const vi = f(f(mf * v[i]!) + g[i]!);
      vOut[i] = vi;
      pOut[i] = f(f(cf * (nesterov ? f(g[i]! + f(vi * mf)) : vi)) + p[i]!);
    }
  },
  transpose(x, y, shape, perm) {
    checkTranspose(x, y, shape, perm);
    transposeInto(x, y, shape, perm);
  },
  maxPoolGrad(x, dy, dx, g) {
    checkPool('maxPoolGrad', g, x, dy, dx);
    maxPoolGrad(x, dy, dx, g);
  },
  avgPoolGrad(dy, dx, g) {
    checkPool('avgPoolGrad', g, null, dy, dx);
    const { inHeight: ih, inWidth: iw, outHeight: oh, outWidth: ow, channels: C } = g;
    const f = Math.fround;
    const scale = f(1 / (g.filterHeight * g.filterWidth));
    const windows = (i: number, s: number, pad: number, f: number, out: number): [number, number] =>
      [Math.max(0, Math.ceil((i + pad - f + 1) / s)), Math.min(out, Math.floor((i + pad) / s) + 1)];
    for (let b = 0; b < g.batch; b++) {
      for (let iy = 0; iy < ih; iy++) {
        const [y0, y1] = windows(iy, g.strideHeight, g.padTop, g.filterHeight, oh);
        for (let ix = 0; ix < iw; ix++) {
          const [x0, x1] = windows(ix, g.strideWidth, g.padLeft, g.filterWidth, ow);
          for (let c = 0; c < C; c++) {
            let sum = 0;
            for (let oy = y0; oy < y1; oy++) for (let ox = x0; ox < x1; ox++) sum = f(sum + f(dy[((b * oh + oy) * ow + ox) * C + c]! * scale));
            dx[((b * ih + iy) * iw + ix) * C + c] = sum;
          }
        }
      }
    }
  },
};
