// TensorQuantizer with blockSizes: max calibration per block, static and dynamic block amax,
// integer and E4M3, forward bit-exact with @pq/core's block functions, straight-through gradient.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { QuantDescriptor, fakeBlockQuant, fakeBlockQuantGrad, reduceBlockAmax, scaledE4M3Block, type NDArray } from '@pq/core';
import { Linear, Module, TensorQuantizer, exportOnnx } from '@pq/nn';

const nd = (t: tf.Tensor): NDArray => ({ data: Float32Array.from(t.dataSync()), shape: [...t.shape] });
const blocks = { [-1]: 4 };

function batch(seed: number): tf.Tensor {
  return tf.tensor(Array.from({ length: 3 * 10 }, (_, i) => Math.sin(i * 1.7 + seed) * (1 + (i % 4))), [3, 10]);
}

describe('TensorQuantizer with blockSizes', () => {
  it('static: max calibration per block, then block-wise fake quant, bit-exact, with the straight-through gradient', () => {
    const q = new TensorQuantizer(new QuantDescriptor({ numBits: 4, blockSizes: { ...blocks, type: 'static' } }));
    q.disableQuant();
    q.enableCalib();
    const [b1, b2] = [batch(1), batch(2)];
    tf.tidy(() => [q.call(b1), q.call(b2)]);
    q.loadCalibAmax();
    q.disableCalib();
    q.enableQuant();
    const a1 = reduceBlockAmax(nd(b1), blocks);
    const a2 = reduceBlockAmax(nd(b2), blocks);
    const want = a1.data.map((v, i) => Math.max(v, a2.data[i]!));
    expect(q.amax!.shape).toEqual([3, 3]);
    expect(Array.from(q.amax!.dataSync())).toEqual(Array.from(want));
    const amax = { data: want, shape: [3, 3] };
    const x = tf.variable(tf.mul(batch(3), 1.5));
    const { value, grads } = tf.variableGrads(() => {
      const y = q.call(x) as tf.Tensor;
      expect(Array.from(y.dataSync())).toEqual(Array.from(fakeBlockQuant(nd(x), amax, blocks, { numBits: 4, narrowRange: false }).data));
      return tf.sum(tf.mul(y, tf.reshape(tf.range(0, 30), [3, 10]))) as tf.Scalar;
    }, [x]);
    const dy = { data: Float32Array.from({ length: 30 }, (_, i) => i), shape: [3, 10] };
    expect(Array.from(grads[x.name]!.dataSync())).toEqual(Array.from(fakeBlockQuantGrad(nd(x), amax, blocks, dy).data));
    expect(q.extraRepr()).toMatch(/^4bit fake block_sizes=\{-1: 4, 'type': 'static'\} amax=\[[0-9.]+, [0-9.]+\]\(9\) calibrator=MaxCalibrator scale=1.0 quant$/);
    tf.dispose([b1, b2, x, value, ...Object.values(grads)]);
  });

  it('dynamic: no calibrator, each batch its own block amax; E4M3 blocks', () => {
    const q = new TensorQuantizer(new QuantDescriptor({ numBits: 8, blockSizes: { [-1]: 4, type: 'dynamic' } }));
    expect(q.calibrator).toBeNull();
    expect(q.dynamicBlocks).toBe(true);
    const x = batch(4);
    const want = fakeBlockQuant(nd(x), reduceBlockAmax(nd(x), blocks), blocks, { narrowRange: false });
    expect(Array.from((q.call(x) as tf.Tensor).dataSync())).toEqual(Array.from(want.data));
    const f = new TensorQuantizer(new QuantDescriptor({ numBits: [4, 3], blockSizes: { [-2]: 2, [-1]: 5 }, amax: 3 }));
    expect(Array.from((f.call(x) as tf.Tensor).dataSync())).toEqual(Array.from(scaledE4M3Block(nd(x), 3, { [-2]: 2, [-1]: 5 }).data));
    x.dispose();
  });

  it('loads a block amax from a state dict; refuses histogram calibration, and ONNX export before opset 21', () => {
    const q = new TensorQuantizer(new QuantDescriptor({ numBits: 4, blockSizes: blocks }));
    q.loadStateDict({ _amax: { data: new Float32Array(9).fill(2), shape: [3, 3] } });
    expect(q.amax!.shape).toEqual([3, 3]);
    expect(() => new TensorQuantizer(new QuantDescriptor({ blockSizes: blocks, calibMethod: 'histogram' }))).toThrow(
      "TensorQuantizer: histogram calibration is per tensor or per axis; block-wise quantization (blockSizes) calibrates with 'max'",
    );
    class M extends Module {
      lin = new Linear(10, 2);
      q = new TensorQuantizer(new QuantDescriptor({ numBits: 8, blockSizes: blocks, amax: 1 }));
      forward(x: tf.Tensor): tf.Tensor {
        return this.lin.call(this.q.call(x)) as tf.Tensor;
      }
    }
    expect(() => exportOnnx(new M(), tf.zeros([1, 10]))).toThrow("quantizer 'q': block-wise quantization (blockSizes) exports from opset 21");
  });
});
