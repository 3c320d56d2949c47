// An eval-mode batch norm's y = x·alpha + beta per channel (x [N, C, ...], alpha and beta [C])
// in one pass on the native kernels' channelAffine, where tfjs runs a broadcast Mul and then a
// broadcast Add (MobileNetV2's eval forward at 32x32, batch 32, spent 8.8 of 28.7 ms in them).
// The product is rounded before the sum, as the two ops round, so the output is theirs bit for
// bit; the gradient is the two ops' gradients written out (the same ops, the same bits). Its own
// op, registered on wasm while pq's kernels are installed; elsewhere `channelAffine` returns null
// and the caller runs the two ops.
import * as tf from '@tensorflow/tfjs-core';
import { installedNativeKernels } from './channels_first.js';
import { onNative } from './native_op.js';

/** inputs `{ x, alpha, beta }`: x [N, C, ...], alpha and beta [C]. */
export const PqChannelAffine = 'PqChannelAffine';

/** x·alpha + beta with alpha and beta broadcast over x's channels (axis 1), or null where the fused kernel does not run. */
export function channelAffine(x: tf.Tensor, alpha: tf.Tensor, beta: tf.Tensor): tf.Tensor | null {
  if (installedNativeKernels(tf.getBackend()) === null || [x, alpha, beta].some((t) => t.dtype !== 'float32') || x.rank < 2) return null;
  return tf.engine().runKernel(PqChannelAffine, { x, alpha, beta }, {}) as tf.Tensor;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend };

function forward({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x, alpha, beta } = inputs as { x: tf.TensorInfo; alpha: tf.TensorInfo; beta: tf.TensorInfo };
  const [outer, channels] = x.shape as [number, number];
  const inner = x.shape.slice(2).reduce((p, d) => p * d, 1);
  return onNative(PqChannelAffine, backend, [...x.shape], [x, alpha, beta], (k, y, [xv, a, b]) => k.channelAffine(xv!, a!, b!, y, outer, channels, inner));
}

export const channelAffineKernel: [string, tf.KernelFunc] = [PqChannelAffine, forward as tf.KernelFunc];

/** As tfjs's Mul and Add gradients with alpha and beta broadcast as [1, C, 1, ...]: products, then sums over every axis but the channels. */
export const channelAffineGradConfig: tf.GradConfig = {
  kernelName: PqChannelAffine,
  inputsToSave: ['x', 'alpha'],
  gradFunc: (dy, saved) => {
    const [x, alpha] = saved as [tf.Tensor, tf.Tensor];
    const d = dy as tf.Tensor;
    const axes = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2)];
    const perChannel = [1, x.shape[1]!, ...Array<number>(x.rank - 2).fill(1)];
    return {
      x: () => tf.mul(d, tf.reshape(alpha, perChannel)),
      alpha: () => tf.reshape(tf.sum(tf.mul(d, x), axes), alpha.shape),
      beta: () => tf.reshape(tf.sum(d, axes), alpha.shape),
    };
  },
};
