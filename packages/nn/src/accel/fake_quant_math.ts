// The fused fake-quant math on typed arrays, bit-exact with the reference's float32 steps:
// scale = fround(maxBound / amax) (0 where amax <= 2^-24), q = clamp(rint(fround(x * scale))),
// y = fround(q / scale) (0 where the scale was 0); the STE gradient passes dy where |x| <= amax.
// amax is per tensor or per channel along one axis (what TensorQuantizer produces).

export interface FakeQuantAttrs {
  numBits: number;
  unsigned: boolean;
  narrowRange: boolean;
  /** Multiplies amax before use (TensorQuantizer's scaleAmax); 1 for none. */
  scaleAmax: number;
}

/**
 * How amax lines up with x: `channels` amax values, each covering a run of `inner` contiguous
 * elements, the pattern repeating over the outer dimensions (per tensor: 1 x size).
 */
export interface ChannelLayout {
  channels: number;
  inner: number;
}

const EPSILON = 1 / (1 << 24);

export function quantBounds(a: FakeQuantAttrs): { minBound: number; maxBound: number } {
  const { numBits, unsigned, narrowRange } = a;
  if (!Number.isInteger(numBits) || numBits > 16 || numBits < (unsigned ? 1 : 2)) {
    throw new Error(`fakeQuantFused: numBits (${numBits}) must be an integer in [${unsigned ? 1 : 2}, 16]`);
  }
  const maxBound = 2 ** (numBits - 1 + (unsigned ? 1 : 0)) - 1;
  const minBound = unsigned ? 0 : narrowRange ? -maxBound : -maxBound - 1;
  return { minBound, maxBound };
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Layout of an amax of shape `amaxShape` against x of shape `xShape` (numpy broadcasting). */
export function channelLayout(xShape: readonly number[], amaxShape: readonly number[]): ChannelLayout {
  const size = amaxShape.reduce((p, d) => p * d, 1);
  if (size === 1) return { channels: 1, inner: sizeOf(xShape) };
  if (amaxShape.length > xShape.length) {
    throw new Error(`fakeQuantFused: amax shape [${amaxShape}] has more dimensions than x [${xShape}]`);
  }
  const offset = xShape.length - amaxShape.length;
  const axes = amaxShape.map((d, i) => (d === 1 ? -1 : i + offset)).filter((a) => a >= 0);
  const axis = axes[0]!;
  if (axes.length !== 1 || amaxShape[axis - offset] !== xShape[axis]) {
    throw new Error(
      `fakeQuantFused: amax shape [${amaxShape}] must be per tensor or per channel along one axis of x [${xShape}]`,
    );
  }
  return { channels: xShape[axis]!, inner: xShape.slice(axis + 1).reduce((p, d) => p * d, 1) };
}

/** Layout for a dynamic amax kept along `axis` (null: one amax for the whole tensor). */
export function axisLayout(xShape: readonly number[], axis: number | null): ChannelLayout {
  if (axis === null) return { channels: 1, inner: sizeOf(xShape) };
  const a = axis < 0 ? axis + xShape.length : axis;
  if (!Number.isInteger(a) || a < 0 || a >= xShape.length) {
    throw new Error(`fakeQuantFused: axis ${axis} is out of range for x of shape [${xShape}]`);
  }
  return { channels: xShape[a]!, inner: xShape.slice(a + 1).reduce((p, d) => p * d, 1) };
}

/** max |x| per channel. */
export function reduceAmax(x: Float32Array, l: ChannelLayout): Float32Array {
  const out = new Float32Array(l.channels);
  if (l.channels === 1) {
    let m = 0;
    for (let i = 0; i < x.length; i++) {
      const v = Math.abs(x[i]!);
      if (v > m || v !== v) m = v;
    }
    out[0] = m;
    return out;
  }
  const block = l.channels * l.inner;
  for (let o = 0; o < x.length; o += block) {
    for (let c = 0; c < l.channels; c++) {
      let m = out[c]!;
      const start = o + c * l.inner;
      for (let i = start; i < start + l.inner; i++) {
        const v = Math.abs(x[i]!);
        if (v > m || v !== v) m = v;
      }
      out[c] = m;
    }
  }
  return out;
}

/** amax after scaleAmax, checked non-negative. */
export function effectiveAmax(amax: Float32Array, scaleAmax: number): Float32Array {
  const out = new Float32Array(amax.length);
  for (let c = 0; c < amax.length; c++) {
    const a = scaleAmax === 1 ? amax[c]! : Math.fround(amax[c]! * scaleAmax);
    if (a < 0) throw new Error(`fakeQuantFused: amax must be non-negative, got ${a}`);
    out[c] = a;
  }
  return out;
}

// Adding and subtracting 1.5 * 2^52 rounds a double to an integer with IEEE ties-to-even, the
// rounding torch.round uses; exact for |v| < 2^51, and larger values are clamped anyway.
const RINT = 6755399441055744;

/** Writes fake_tensor_quant(x, amax) into `y` (a fresh array when omitted) and returns it. */
export function fakeQuantForward(
  x: Float32Array,
  amax: Float32Array,
  l: ChannelLayout,
  a: FakeQuantAttrs,
  y: Float32Array = new Float32Array(x.length),
): Float32Array {
  const { minBound, maxBound } = quantBounds(a);
  const scales = new Float32Array(amax.length);
  for (let c = 0; c < amax.length; c++) scales[c] = amax[c]! <= EPSILON ? 0 : Math.fround(maxBound / amax[c]!);
  if (a.unsigned) {
    for (let i = 0; i < x.length; i++) {
      if (x[i]! < 0) throw new Error(`fakeQuantFused: unsigned quantization of a negative input (${x[i]})`);
    }
  }
  const levels = new Float32Array(maxBound - minBound + 1);
  const block = l.channels * l.inner;
  for (let o = 0; o < x.length; o += block) {
    for (let c = 0; c < l.channels; c++) {
      const scale = scales[c]!;
      const start = o + c * l.inner;
      const end = start + l.inner;
      if (scale === 0) {
        // x * 0 keeps the sign of zero (and NaN for non-finite x), as torch does here.
        for (let i = start; i < end; i++) y[i] = x[i]! * 0;
        continue;
      }
      // q / scale takes only (maxBound - minBound + 1) values: divide once per level and look
      // them up, when the run is long enough to pay for the table.
      if (l.inner >= levels.length) {
        for (let q = minBound; q <= maxBound; q++) levels[q - minBound] = q / scale;
        for (let i = start; i < end; i++) {
          const v = Math.fround(x[i]! * scale);
          let q = v + RINT - RINT;
          if (q > maxBound) q = maxBound;
          else if (q < minBound) q = minBound;
          // torch.round(-0.3) is -0, which survives clamp and the division; the trick gives +0.
          y[i] = q === 0 ? v * 0 : levels[q - minBound]!;
        }
        continue;
      }
      for (let i = start; i < end; i++) {
        const v = Math.fround(x[i]! * scale);
        let q = v + RINT - RINT;
        if (q > maxBound) q = maxBound;
        else if (q < minBound) q = minBound;
        y[i] = q === 0 ? v * 0 : q / scale;
      }
    }
  }
  return y;
}

/** Straight-through gradient: dy where |x| <= amax (broadcast per channel), else 0. */
export function fakeQuantBackward(
  dy: Float32Array,
  x: Float32Array,
  amax: Float32Array,
  l: ChannelLayout,
  dx: Float32Array = new Float32Array(x.length),
): Float32Array {
  const block = l.channels * l.inner;
  for (let o = 0; o < x.length; o += block) {
    for (let c = 0; c < l.channels; c++) {
      const m = amax[c]!;
      const start = o + c * l.inner;
      for (let i = start; i < start + l.inner; i++) dx[i] = Math.abs(x[i]!) <= m ? dy[i]! : 0;
    }
  }
  return dx;
}
