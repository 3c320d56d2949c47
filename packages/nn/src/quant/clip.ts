// The reference's Clip module: clamps its input to [clip_value_min, clip_value_max]; a bound
// made learnable is a parameter (saved as `clip.clip_value_min` / `clip.clip_value_max`)
// and gets PACT gradients.
import * as tf from '@tensorflow/tfjs-core';
import { checkOptions } from '@pq/core';
import { Module, parameter } from '../module.js';
import { pactClip } from '../ops/pact_clip.js';

export interface ClipOptions {
  learnMin?: boolean;
  learnMax?: boolean;
}

export class Clip extends Module {
  /** Lower bound: a trainable scalar parameter with learnMin, else a fixed scalar tensor. */
  clip_value_min: tf.Tensor;
  clip_value_max: tf.Tensor;

  constructor(clipValueMin: number, clipValueMax: number, o: ClipOptions = {}) {
    super();
    checkOptions('Clip', o, { learnMin: 'boolean', learnMax: 'boolean' });
    if (!(clipValueMin <= clipValueMax)) {
      throw new RangeError(`Clip: clipValueMin (${clipValueMin}) must be <= clipValueMax (${clipValueMax})`);
    }
    this.clip_value_min = o.learnMin ? parameter(tf.scalar(clipValueMin), 'clip_value_min') : tf.keep(tf.scalar(clipValueMin));
    this.clip_value_max = o.learnMax ? parameter(tf.scalar(clipValueMax), 'clip_value_max') : tf.keep(tf.scalar(clipValueMax));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return pactClip(x, this.clip_value_min, this.clip_value_max);
  }

  override dispose(): void {
    super.dispose();
    for (const t of [this.clip_value_min, this.clip_value_max]) if (!(t instanceof tf.Variable)) t.dispose();
  }
}
