// y = x · weightᵀ + bias over the last dim, for inputs of any rank >= 1.
import * as tf from '@tensorflow/tfjs-core';
import { functional } from '../hooks.js';
import { formatShape } from '@pq/core';

export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor | null): tf.Tensor {
  if (weight.rank !== 2) throw new Error(`linear: weight must be [out, in], got shape ${formatShape(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.rank < 1 || x.shape[x.rank - 1] !== inF) {
    throw new Error(`linear: input shape ${formatShape(x.shape)} does not end in ${inF} (weight ${formatShape(weight.shape)})`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias must have shape [${outF}], got ${formatShape(bias.shape)}`);
  }
  return functional('linear', [x, weight, bias ?? null], {}, () =>
    tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, inF]);
      let y = tf.matMul(x2, weight, false, true);
      if (bias) y = tf.add(y, bias);
      return x.rank === 2 ? y : tf.reshape(y, [...lead, outF]);
    }),
  );
}
