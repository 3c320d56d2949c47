// SequentialQuantizer (ModelOpt's): several TensorQuantizers applied in turn, children '0',
// '1', ... — W4A8 quantizes a weight to INT4 blocks, then the result to FP8.
import * as tf from '@tensorflow/tfjs-core';
import { ModuleContainer } from '../layers/container.js';
import { TensorQuantizer } from '../quant/tensor_quantizer.js';

export class SequentialQuantizer extends ModuleContainer {
  constructor(quantizers: readonly TensorQuantizer[]) {
    super();
    if (quantizers.length === 0) throw new Error('SequentialQuantizer: needs at least one TensorQuantizer');
    quantizers.forEach((q, i) => {
      if (!(q instanceof TensorQuantizer)) throw new TypeError(`SequentialQuantizer: entry ${i} is not a TensorQuantizer`);
      this.append(q);
    });
  }

  /** The quantizers in order. */
  quantizers(): TensorQuantizer[] {
    return this.modules() as TensorQuantizer[];
  }

  override forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const q of this.quantizers()) y = q.call(y) as tf.Tensor;
      return y;
    });
  }
}
