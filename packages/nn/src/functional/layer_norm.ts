// Layer normalisation: every sample normalised over its last dims (normalizedShape).
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { checkOptions, formatShape } from '@pq/core';

export interface LayerNormOptions {
  /** Elementwise scale, of shape normalizedShape. */
  weight?: tf.Tensor | null;
  /** Elementwise shift, of shape normalizedShape. */
  bias?: tf.Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * torch.nn.functional.layer_norm: `(x - mean) / sqrt(var + eps) * weight + bias`, mean and
 * biased variance over the last `normalizedShape.length` dims, which must equal normalizedShape.
 */
export function layerNorm(x: tf.Tensor, normalizedShape: number | readonly number[], o: LayerNormOptions = {}): tf.Tensor {
  checkOptions('layerNorm', o, { weight: 'any', bias: 'any', eps: 'number' });
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = shape.length;
  const tail = x.shape.slice(x.rank - k);
  if (k === 0 || x.rank < k || tail.some((d, i) => d !== shape[i])) {
    throw new Error(
      `layerNorm: given normalizedShape=${formatShape(shape)}, expected input with shape [*, ${shape.join(', ')}], but got input of shape ${formatShape(x.shape)}`,
    );
  }
  for (const [name, t] of [['weight', o.weight], ['bias', o.bias]] as const) {
    if (t && formatShape(t.shape) !== formatShape(shape)) {
      throw new Error(`layerNorm: ${name} must have shape ${formatShape(shape)} (normalizedShape), got ${formatShape(t.shape)}`);
    }
  }
  const eps = o.eps ?? 1e-5;
  const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
  return functional('layerNorm', [x, o.weight ?? null, o.bias ?? null], { axes, eps }, () =>
    tf.tidy(() => {
      const { mean, variance } = tf.moments(x, axes, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
      if (o.weight) y = tf.mul(y, o.weight);
      if (o.bias) y = tf.add(y, o.bias);
      return y;
    }),
  );
}
