// The kernel interface that @pq/nn's accelerated path calls: plain float32 (transpose: 32-bit) arrays in, results
// written into caller-owned arrays (views of tfjs's wasm heap), so no tensor is allocated.

/**
 * A 2-D convolution's shape. Activations are NHWC ([batch, height, width, channels]), filters HWIO
 * ([filterHeight, filterWidth, inChannels, outChannels]), all float32, row-major, contiguous;
 * dilation 1, one group. Output pixel (oy, ox) reads input rows `oy * strideHeight - padTop + fy`
 * and columns `ox * strideWidth - padLeft + fx`; taps outside the input are zero, so the bottom and
 * right padding follow from outHeight and outWidth (and may be negative: trailing input rows or
 * columns that no window reaches). With `channelsFirst`, activations are NCHW ([batch, channels,
 * height, width]) instead, the filter still HWIO: the kernels read and write that layout directly
 * (no transposes) at stride 1 with rows of at least 12 outputs and inputs (`channelsFirstDirect`),
 * and transpose around the NHWC kernels elsewhere.
 */
export interface Conv2dGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
  /** Activations NCHW instead of NHWC (default false). */
  channelsFirst?: boolean;
}

/** Whether the channels-first kernels of `g` run without transposes (stride 1, rows of at least 12 outputs and inputs). */
export function channelsFirstDirect(g: Conv2dGeometry): boolean {
  // The native kernels' own test (channels_first_direct in native/conv_nchw.cc).
  return g.strideHeight === 1 && g.strideWidth === 1 && g.outWidth >= 12 && g.inWidth >= 12;
}

/**
 * A 2-D max pooling's shape, NHWC ([batch, height, width, channels]) for the input x and the
 * output y alike, float32, row-major, contiguous. Output pixel (oy, ox) pools the window of
 * filterHeight x filterWidth input pixels whose top-left corner is row `oy * strideHeight - padTop`,
 * column `ox * strideWidth - padLeft`, clipped to the input: padding makes windows partially (or
 * wholly) outside, and those outside positions take no part. Windows overlap where a stride is below
 * the window size; the bottom and right padding follow from outHeight and outWidth.
 */
export interface Pool2dGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** Dense float32 kernels on the CPU; every method overwrites its output. */
export interface CpuKernels {
  /** What computes: 'native avx512f' or 'native avx2+fma' (the same bits), or 'reference'. */
  readonly name: string;
  /** Threads a call may use (1 for the reference). */
  readonly threads: number;
  /**
   * c = op(a)·op(b) for `batch` independent products: a is batch×m×k (transA: stored batch×k×m),
   * b is batch×k×n (transB: stored batch×n×k), c is batch×m×n (overwritten).
   */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean): void;
  /** y[b, oy, ox, o] = Σ x[b, iy, ix, i]·filter[fy, fx, i, o] (y overwritten). */
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, g: Conv2dGeometry): void;
  /** The gradient of conv2d with respect to x, given dy (dx overwritten). */
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, g: Conv2dGeometry): void;
  /** The gradient of conv2d with respect to the filter, given x and dy (dFilter overwritten). */
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dFilter: Float32Array, g: Conv2dGeometry): void;
  /**
   * A depthwise convolution (channel multiplier 1: g.inChannels == g.outChannels == C, filter
   * [filterHeight, filterWidth, C]) on channels-first activations only (`g.channelsFirst`; NHWC's
   * forward pass is tfjs's own kernel): y = Σ filter·x over the taps in (fy, fx) order, rounded
   * products added with one rounding each (y overwritten).
   */
  depthwiseConv2d(x: Float32Array, filter: Float32Array, y: Float32Array, g: Conv2dGeometry): void;
  /**
   * Its gradient with respect to x, given dy (dx overwritten). Each element sums rounded products
   * with one rounding per add, in a fixed order: NHWC (batch, output row, output column), the bits
   * of @pq/nn's wasm kernel; channels first, the same bits as `referenceKernels` (at stride 1
   * the forward pass's sum of dy with the turned filter, else (output row, filter row, filter
   * column)). Either way the same on any thread count.
   */
  depthwiseConv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, g: Conv2dGeometry): void;
  /**
   * Its gradient with respect to the filter, given x and dy (dFilter [filterHeight, filterWidth, C]
   * overwritten), summed the same way (channels first: eight partial sums along each output row,
   * lane ox mod 8, over (batch, output row, column), then added in lane order).
   */
  depthwiseConv2dBackpropFilter(x: Float32Array, dy: Float32Array, dFilter: Float32Array, g: Conv2dGeometry): void;
  /**
   * One step of SGD with momentum, as tfjs's MomentumOptimizer's ops compute it (each product and
   * sum rounded to float32, in this order): vOut = m*v + g; pOut = c*vOut + p, or with Nesterov
   * pOut = c*(g + vOut*m) + p, with c = -learning rate. All five arrays have one length; the
   * outputs may not overlap the inputs.
   */
  momentumStep(p: Float32Array, v: Float32Array, g: Float32Array, pOut: Float32Array, vOut: Float32Array, c: number, m: number, nesterov: boolean): void;
  /**
   * sums[c] = Σ x[o, c, i] over x viewed as [outer, channels, inner] (a bias's gradient: dy
   * [N, C, H, W] summed over N, H and W), each in float32 from +0 in (o, i) order: the bits of
   * tfjs's Sum over those axes (sums overwritten).
   */
  channelSums(x: Float32Array, sums: Float32Array, outer: number, channels: number, inner: number): void;
  /**
   * Training-mode batch normalisation of channels-first x viewed as [n, c, s] (s: the spatial
   * positions; weight, bias, mean and variance of c floats): per channel, in float64, the mean
   * m = Σx / (n·s) and the biased variance v = Σ(x - m)² / (n·s), each sum over (image, position)
   * in order, then y = x·a + (bias - m·a) with a = weight / sqrt(v + eps), rounded to float32;
   * mean and variance stored as float32 (outputs overwritten, apart from the inputs). The
   * arithmetic of @pq/nn's batch norm kernels, so their bits.
   */
  batchNormTrain(x: Float32Array, weight: Float32Array, bias: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, n: number, c: number, s: number, eps: number): void;
  /**
   * Its gradient, given dy and the forward's mean and variance: with i = 1 / sqrt(v + eps) and
   * M = n·s, Σdy and Σdy·(x - m) per channel (float64, in order), dx = (weight·i)·(dy - Σdy/M -
   * (x - m)·(Σdy·(x - m)·i·i / M)), dWeight = Σdy·(x - m)·i, dBias = Σdy, rounded to float32.
   */
  batchNormTrainGrad(
    dy: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, weight: Float32Array,
    dx: Float32Array, dWeight: Float32Array, dBias: Float32Array, n: number, c: number, s: number, eps: number,
  ): void;
  /**
   * Fake quantization fused with the swap of the outer and inner axes: x viewed as [outer, middle,
   * inner] (a convolution's weight [O, I, taps]) gives y [inner, middle, outer] (tfjs's [taps, I, O]),
   * y[c, b, a] = nearest(clamp(x[a, b, c]·scale[a], lo, hi)) / divisor[a], one pass where fake
   * quantization then a transpose take two. Each element is @pq/core's float32 sequence: the
   * product rounded, `q < lo ? lo : q` then `hi < q ? hi : q` (NaN and -0 kept), rounded half to
   * even, the quotient rounded; so y is core's fake quantization, transposed, bit for bit (y
   * overwritten, apart from x).
   */
  fakeQuantSwap(x: Float32Array, y: Float32Array, outer: number, middle: number, inner: number, scale: Float32Array, divisor: Float32Array, lo: number, hi: number): void;
  /**
   * Its straight-through gradient, fused with the swap back: dy [inner, middle, outer] gives dx
   * [outer, middle, inner], dx[a, b, c] = |x[a, b, c]| <= bound[a] ? dy[c, b, a] : +0 (a NaN x
   * gives +0; dy's bits moved unchanged), dx overwritten, apart from the inputs.
   */
  straightThroughSwap(x: Float32Array, dy: Float32Array, dx: Float32Array, outer: number, middle: number, inner: number, bound: Float32Array): void;
  /**
   * y[o, c, i] = x[o, c, i]·scale[c] + shift[c] over channels-first x viewed as [outer, channels,
   * inner], as two float32 operations (the product rounded, then the sum; no FMA): the bits of
   * tfjs's Mul then Add with scale and shift broadcast per channel, an eval-mode batch norm in
   * one pass (y overwritten, apart from the inputs).
   */
  channelAffine(x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array, outer: number, channels: number, inner: number): void;
  /** Whether the channels-first kernels run g without transposes (`channelsFirstDirect`): a caller choosing a layout asks here. */
  channelsFirstDirect(g: Conv2dGeometry): boolean;
  /**
   * y = x with its axes permuted, tfjs's (and numpy's) order: y's axis i is x's axis perm[i], so
   * y's shape is perm.map((p) => shape[p]); `shape` is x's, rank 0 to 6. x and y are both
   * Float32Array or both Int32Array: elements are moved as 32-bit patterns, never converted (a
   * float32 NaN keeps its payload), so the result is exact (y overwritten).
   */
  transpose(x: Float32Array | Int32Array, y: Float32Array | Int32Array, shape: readonly number[], perm: readonly number[]): void;
  /**
   * The gradient of max pooling with respect to x, given x and dy (dx overwritten: zeroed, then
   * for every output pixel in row-major order and every channel, dy added at the window's first
   * maximum of x, scanning rows then columns with a strict `>` from -Infinity, so ties go to the
   * first, NaN never wins and a window of only -Infinity and NaN adds nothing). Overlapping
   * windows add into a cell in window order; the sums are float32, bit-identical for every
   * implementation and thread count.
   */
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, g: Pool2dGeometry): void;
  /**
   * Average pooling's gradient (NHWC dy and dx; dx overwritten): every dx cell gets dy·(1/(filterHeight·filterWidth))
   * summed over the windows holding it (row-major order; windows partly over the padding
   * included), each product and add rounded to float32 and the reciprocal a float32 one, as
   * tfjs-wasm's AvgPoolGrad computes it: its bits.
   */
  avgPoolGrad(dy: Float32Array, dx: Float32Array, g: Pool2dGeometry): void;
}
