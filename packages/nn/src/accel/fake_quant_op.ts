// `fakeQuantFused`: fake quantization as one tfjs op (one kernel forward, one kernel backward)
// instead of a chain of element-wise ops. The gradient is the straight-through estimator with
// respect to x; amax gets none (as in the reference's fake_tensor_quant).
import * as tf from '@tensorflow/tfjs-core';
import { PQ_FAKE_QUANT, PQ_FAKE_QUANT_GRAD, registerFakeQuantKernels, type FakeQuantKernelAttrs } from './fake_quant_kernels.js';
import { quantBounds } from './fake_quant_math.js';

export interface FakeQuantFusedOptions {
  /** Default 8. */
  numBits?: number;
  /** Default false. */
  unsigned?: boolean;
  /** Default true (fake_tensor_quant's default; TensorQuantizer passes its descriptor's value). */
  narrowRange?: boolean;
  /** Dynamic amax only: the axis keeping its own amax (per channel); default null = per tensor. */
  axis?: number | null;
  /** Multiplies amax (static or dynamic) before quantizing; default 1. */
  scaleAmax?: number;
}

const KNOWN = new Set(['numBits', 'unsigned', 'narrowRange', 'axis', 'scaleAmax']);

/**
 * Fake-quantizes `x` (float32) with a static `amax` (a number, a scalar tensor, or a tensor
 * per channel along one axis, e.g. `[C,1,1,1]` for a conv weight) or, when `amax` is null, a
 * dynamic amax = max|x| (over everything, or per `opts.axis`). Bit-identical to
 * `fake_tensor_quant`; gradient dx = dy where |x| <= amax.
 *
 * ```ts
 * const y = fakeQuantFused(x, 2.5, { numBits: 8, narrowRange: false });
 * const yw = fakeQuantFused(w, null, { axis: 0 }); // dynamic per-output-channel
 * ```
 */
export function fakeQuantFused(x: tf.Tensor, amax: tf.Tensor | number | null, opts: FakeQuantFusedOptions = {}): tf.Tensor {
  for (const k of Object.keys(opts)) {
    if (!KNOWN.has(k)) throw new Error(`fakeQuantFused: unknown option '${k}' (known: ${[...KNOWN].join(', ')})`);
  }
  const attrs: FakeQuantKernelAttrs = {
    numBits: opts.numBits ?? 8,
    unsigned: opts.unsigned ?? false,
    narrowRange: opts.narrowRange ?? true,
    scaleAmax: opts.scaleAmax ?? 1,
    axis: opts.axis ?? null,
  };
  quantBounds(attrs);
  if (amax !== null && opts.axis !== undefined && opts.axis !== null) {
    throw new Error('fakeQuantFused: axis applies to a dynamic amax only; a static amax carries its own shape');
  }
  if (x.dtype !== 'float32') throw new Error(`fakeQuantFused: x must be float32, got ${x.dtype}`);
  registerFakeQuantKernels(tf.getBackend());
  if (typeof amax === 'number') attrs.staticAmax = amax;
  const engine = tf.engine();
  const amaxT = typeof amax === 'number' ? null : amax;
  // A dynamic amax (max|x|) never clips, so the STE gradient is dy itself.
  const identityGrad = amax === null && attrs.scaleAmax >= 1;
  const run = (xt: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
    const value = engine.runKernel(PQ_FAKE_QUANT, amaxT === null ? { x: xt } : { x: xt, amax: amaxT }, attrs as never) as tf.Tensor;
    // Saved tensors outlive the forward tidy scope (an amax computed in the forward included).
    save(amaxT === null ? [xt] : [xt, amaxT]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
      if (identityGrad) return dy.clone();
      const inputs: tf.NamedTensorMap = { dy, x: saved[0]! };
      if (saved.length === 2) inputs['amax'] = saved[1]!;
      return engine.runKernel(PQ_FAKE_QUANT_GRAD, inputs, attrs as never) as tf.Tensor;
    };
    return { value, gradFunc };
  };
  return tf.customGrad(run as never)(x) as tf.Tensor;
}
