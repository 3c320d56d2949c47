import * as tf from '@tensorflow/tfjs-core';
import { blockLayout, checkOptions, formatShape, type BlockSizes } from '@pq/core';
import { PqFakeBlockQuant, type BlockQuantAttrs } from './kernel_names.js';
import { amaxTensor, inputTensor } from './amax_tensor.js';
import './register.js';

export interface FakeBlockQuantOptions {
  /** Integer bits, 2..16 signed, 1..16 unsigned (default 8). */
  numBits?: number;
  unsigned?: boolean;
  /** Default true, as fakeQuant. */
  narrowRange?: boolean;
  /** FP8 E4M3 per block instead of integers (default false). */
  e4m3?: boolean;
}

/**
 * Block-wise fake quantization as a tfjs op: one amax per block of x (`blockSizes`
 * `{ [-1]: 128 }`: 128 consecutive elements of the last axis), amax shaped like @pq/core's
 * reduceBlockAmax result (or a number for every block). Each element is quantized as fakeQuant
 * (or fakeE4M3) would with its block's amax; the gradient is straight-through where |x| <= it.
 *
 * ```js
 * fakeBlockQuant(tf.tensor([[0.3, -1, 2, 0.1]]), tf.tensor([[1, 2]]), { [-1]: 2 }, { numBits: 4 }).print();
 * // [[0.2857143, -1, 2, 0]]
 * ```
 */
export function fakeBlockQuant(x: tf.Tensor, amax: tf.Tensor | number, blockSizes: BlockSizes, o: FakeBlockQuantOptions = {}): tf.Tensor {
  checkOptions('fakeBlockQuant', o, { numBits: 'integer', unsigned: 'boolean', narrowRange: 'boolean', e4m3: 'boolean' });
  const layout = blockLayout(x.shape, blockSizes, 'fakeBlockQuant: blockSizes');
  const attrs: BlockQuantAttrs = {
    blockSizes, e4m3: o.e4m3 ?? false, numBits: o.numBits ?? 8, unsigned: o.unsigned ?? false, narrowRange: o.narrowRange ?? true,
  };
  return tf.tidy(() => {
    let a = amaxTensor(amax, 'fakeBlockQuant');
    if (a.size === 1) a = tf.fill([...layout.amaxShape], a.dataSync()[0]!);
    if (formatShape(a.shape) !== formatShape(layout.amaxShape)) {
      throw new RangeError(`fakeBlockQuant: amax shape ${formatShape(a.shape)} does not match the blocks of input shape ${formatShape(x.shape)} (expected ${formatShape(layout.amaxShape)})`);
    }
    return tf.engine().runKernel(PqFakeBlockQuant, { x: inputTensor(x, 'fakeBlockQuant'), amax: a }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  });
}
