// Direct-loop references (float64) for N-d convolution and transposed convolution with
// PyTorch's definitions, used to check the tfjs implementation on random geometries.

export interface Geometry {
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  outputPadding?: number[];
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Every multi-index of `shape` in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const total = shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let n = 0; n < total; n++) {
    yield [...idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/** y = conv(x [N, C, sp...], w [O, C/g, k...]) + b, output shape returned alongside. */
export function convLoop(x: ArrayLike<number>, xShape: number[], w: ArrayLike<number>, wShape: number[], b: ArrayLike<number> | null, g: Geometry): { y: Float64Array; shape: number[] } {
  const [N, C, ...sp] = xShape as [number, number, ...number[]];
  const [O, Cg, ...k] = wShape as [number, number, ...number[]];
  const out = sp.map((s, i) => Math.floor((s + 2 * g.padding[i]! - g.dilation[i]! * (k[i]! - 1) - 1) / g.stride[i]!) + 1);
  const yShape = [N, O, ...out];
  const y = new Float64Array(yShape.reduce((a, c) => a * c, 1));
  const xs = strides(xShape), ws = strides(wShape), ys = strides(yShape);
  const perGroupOut = O / g.groups;
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
    const grp = Math.floor(o / perGroupOut);
    for (const op of indices(out)) {
      let acc = b ? b[o]! : 0;
      for (let ci = 0; ci < Cg; ci++) for (const kp of indices(k)) {
        let xi = n * xs[0]! + (grp * Cg + ci) * xs[1]!;
        let inside = true;
        for (let d = 0; d < sp.length; d++) {
          const p = op[d]! * g.stride[d]! - g.padding[d]! + kp[d]! * g.dilation[d]!;
          if (p < 0 || p >= sp[d]!) { inside = false; break; }
          xi += p * xs[d + 2]!;
        }
        if (!inside) continue;
        let wi = o * ws[0]! + ci * ws[1]!;
        for (let d = 0; d < k.length; d++) wi += kp[d]! * ws[d + 2]!;
        acc += x[xi]! * w[wi]!;
      }
      let yi = n * ys[0]! + o * ys[1]!;
      for (let d = 0; d < out.length; d++) yi += op[d]! * ys[d + 2]!;
      y[yi] = acc;
    }
  }
  return { y, shape: yShape };
}

/** y = conv_transpose(x [N, C, sp...], w [C, O/g, k...]) + b (scatter form). */
export function convTransposeLoop(x: ArrayLike<number>, xShape: number[], w: ArrayLike<number>, wShape: number[], b: ArrayLike<number> | null, g: Geometry): { y: Float64Array; shape: number[] } {
  const [N, C, ...sp] = xShape as [number, number, ...number[]];
  const [, Og, ...k] = wShape as [number, number, ...number[]];
  const op = g.outputPadding ?? sp.map(() => 0);
  const out = sp.map((s, i) => (s - 1) * g.stride[i]! - 2 * g.padding[i]! + g.dilation[i]! * (k[i]! - 1) + op[i]! + 1);
  const O = Og * g.groups;
  const yShape = [N, O, ...out];
  const y = new Float64Array(yShape.reduce((a, c) => a * c, 1));
  const xs = strides(xShape), ws = strides(wShape), ys = strides(yShape);
  const perGroupIn = C / g.groups;
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (const p of indices(out)) {
    let yi = n * ys[0]! + o * ys[1]!;
    for (let d = 0; d < out.length; d++) yi += p[d]! * ys[d + 2]!;
    y[yi] = b ? b[o]! : 0;
  }
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    const grp = Math.floor(c / perGroupIn);
    for (const ip of indices(sp)) {
      let xi = n * xs[0]! + c * xs[1]!;
      for (let d = 0; d < sp.length; d++) xi += ip[d]! * xs[d + 2]!;
      for (let oc = 0; oc < Og; oc++) for (const kp of indices(k)) {
        let yi = n * ys[0]! + (grp * Og + oc) * ys[1]!;
        let inside = true;
        for (let d = 0; d < sp.length; d++) {
          const q = ip[d]! * g.stride[d]! - g.padding[d]! + kp[d]! * g.dilation[d]!;
          if (q < 0 || q >= out[d]!) { inside = false; break; }
          yi += q * ys[d + 2]!;
        }
        if (!inside) continue;
        let wi = c * ws[0]! + oc * ws[1]!;
        for (let d = 0; d < k.length; d++) wi += kp[d]! * ws[d + 2]!;
        y[yi]! += x[xi]! * w[wi]!;
      }
    }
  }
  return { y, shape: yShape };
}
