// F.*: losses and log-softmax against PyTorch, dropout, shape ops, and the tracing hook seeing
// exactly one op per layer call.
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { F, Conv2d, Linear, MaxPool2d, ReLU, Sequential, Flatten, manualSeed, setFunctionalHook, setModuleCallHook } from '@pq/nn';
import { expectClose, fixture, tensorOf } from '../layers/util.js';

const f = fixture();

describe('losses match PyTorch', () => {
  const { logits, target, weight, cases } = f.losses;
  const run: Record<string, (x: tf.Tensor) => tf.Tensor> = {
    'crossEntropy mean': (x) => F.crossEntropy(x, target),
    'crossEntropy sum weighted': (x) => F.crossEntropy(x, target, { weight: tensorOf(weight), reduction: 'sum' }),
    'crossEntropy mean weighted ignoreIndex 3': (x) => F.crossEntropy(x, target, { weight: tensorOf(weight), ignoreIndex: 3 }),
    'nllLoss of logSoftmax mean': (x) => F.nllLoss(F.logSoftmax(x, 1), tf.tensor1d(target, 'int32')),
  };
  for (const c of cases) {
    it(c.name, () => {
      const x = tensorOf(logits);
      const loss = run[c.name]!(x);
      expectClose(loss, c.loss, 'loss');
      expectClose(tf.grad((t: tf.Tensor) => run[c.name]!(t))(x), c.dlogits, 'dlogits');
    });
  }
  it('crossEntropy over [N, C, H, W] with [N, H, W] targets', () => {
    const s = f.losses.spatial;
    const target = tf.tensor(s.target, s.target_shape, 'int32');
    const x = tensorOf(s.x);
    expectClose(F.crossEntropy(x, target), s.loss, 'loss');
    expectClose(tf.grad((t: tf.Tensor) => F.crossEntropy(t, target))(x), s.dx, 'dx');
  });
  it("reduction 'none' keeps the target shape", () => {
    const x = tensorOf(logits);
    const none = F.crossEntropy(x, target, { reduction: 'none' });
    expect(none.shape).toEqual([5]);
    expectClose(tf.mean(none), f.losses.cases[0].loss, 'mean of none');
  });
  it('refuses bad targets and options', () => {
    const x = tensorOf(logits);
    expect(() => F.nllLoss(x, [0, 1, 2])).toThrow(/target shape \[3\] does not match input \[5, 4\]/);
    expect(() => F.nllLoss(x, [0, 1, 2, 3, 4])).toThrow(/target 4 is out of bounds for 4 classes/);
    expect(() => F.crossEntropy(x, target, { labelSmoothing: 0.1 } as never)).toThrow(/crossEntropy: unknown option 'labelSmoothing'/);
  });
});

describe('logSoftmax', () => {
  it('matches PyTorch along dims 1 and 2', () => {
    const x = tensorOf(f.logSoftmax.x);
    expectClose(F.logSoftmax(x, 1), f.logSoftmax.dim1, 'dim 1');
    expectClose(F.logSoftmax(x, -1), f.logSoftmax.dim2, 'dim -1');
  });
  it('uses PyTorch\'s implicit dim (1 for rank 2)', () => {
    const x = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
    expectClose(tf.sum(tf.exp(F.logSoftmax(x)), 1), { shape: [2], data: [1, 1] }, 'rows sum to 1');
  });
  it('refuses an out-of-range dim', () => {
    expect(() => F.logSoftmax(tf.zeros([2, 3]), 2)).toThrow(/dim 2 is out of range for a tensor of rank 2/);
  });
});

describe('dropout', () => {
  it('is the identity when not training or p = 0', () => {
    const x = tf.randomNormal([4, 5]);
    expect(Array.from(F.dropout(x, 0.5, false).dataSync())).toEqual(Array.from(x.dataSync()));
    expect(Array.from(F.dropout(x, 0).dataSync())).toEqual(Array.from(x.dataSync()));
  });
  it('zeroes about p of the elements and scales the rest by 1/(1-p), reproducibly after manualSeed', () => {
    const x = tf.ones([100, 100]);
    manualSeed(7);
    const a = F.dropout(x, 0.3).dataSync();
    manualSeed(7);
    const b = F.dropout(x, 0.3).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const zeros = a.filter((v) => v === 0).length;
    expect(zeros / a.length).toBeGreaterThan(0.27);
    expect(zeros / a.length).toBeLessThan(0.33);
    for (const v of a) if (v !== 0) expect(v).toBeCloseTo(1 / 0.7, 6);
  });
  it('passes gradients through the kept elements only', () => {
    manualSeed(3);
    const x = tf.ones([50]);
    const g = tf.grad((t: tf.Tensor) => F.dropout(t, 0.5))(x).dataSync();
    manualSeed(3);
    const y = F.dropout(x, 0.5).dataSync();
    expect(Array.from(g)).toEqual(Array.from(y));
  });
  it('refuses p outside [0, 1]', () => {
    expect(() => F.dropout(tf.ones([2]), 1.5)).toThrow(/between 0 and 1, but got 1.5/);
  });
});

describe('shape ops', () => {
  it('flatten merges startDim..endDim like torch.flatten', () => {
    const x = tf.zeros([2, 3, 4, 5]);
    expect(F.flatten(x).shape).toEqual([120]);
    expect(F.flatten(x, 1).shape).toEqual([2, 60]);
    expect(F.flatten(x, 1, 2).shape).toEqual([2, 12, 5]);
    expect(() => F.flatten(x, 3, 1)).toThrow(/startDim \(3\) must not come after endDim \(1\)/);
  });
  it('view reshapes with one -1 and refuses impossible shapes', () => {
    const x = tf.zeros([2, 3, 4]);
    expect(F.view(x, -1, 4).shape).toEqual([6, 4]);
    expect(F.view(x, [4, 6]).shape).toEqual([4, 6]);
    expect(() => F.view(x, 5, -1)).toThrow(/view: shape \[5, -1\] is invalid for input of shape \[2, 3, 4\] \(24 elements\)/);
  });
  it('pad fills like torch.nn.functional.pad in every mode', () => {
    const x = tf.tensor2d([[1, 2, 3]]);
    const row = (mode: 'constant' | 'reflect' | 'replicate' | 'circular'): number[] => Array.from(F.pad(x, [2, 1], mode).dataSync());
    expect(row('constant')).toEqual([0, 0, 1, 2, 3, 0]);
    expect(row('reflect')).toEqual([3, 2, 1, 2, 3, 2]);
    expect(row('replicate')).toEqual([1, 1, 1, 2, 3, 3]);
    expect(row('circular')).toEqual([2, 3, 1, 2, 3, 1]);
    expect(Array.from(F.pad(x, [-1, 0]).dataSync())).toEqual([2, 3]);
    expect(F.pad(x, [0, 0, 1, 1], 'constant', 7).arraySync()).toEqual([[7, 7, 7], [1, 2, 3], [7, 7, 7]]);
    // Each input element's gradient counts how often it was copied.
    expect(Array.from(tf.grad((t: tf.Tensor) => F.pad(t, [2, 1], 'replicate'))(x).dataSync())).toEqual([3, 1, 2]);
    expect(() => F.pad(x, [3, 0], 'reflect')).toThrow(/reflect padding \[3, 0\] must be smaller than the padded dim \(size 3/);
    expect(() => F.pad(x, [1], 'constant')).toThrow(/padding must be \(before, after\) integer pairs/);
  });
  it('expand broadcasts size-1 and new leading dims like Tensor.expand; its gradient sums the copies', () => {
    const x = tf.tensor3d([[[1, 2, 3]]]);
    expect(F.expand(x, [2, -1, -1]).arraySync()).toEqual([[[1, 2, 3]], [[1, 2, 3]]]);
    expect(F.expand(tf.tensor2d([[1], [2]]), [3, 2, 2]).shape).toEqual([3, 2, 2]);
    expect(Array.from(tf.grad((t: tf.Tensor) => F.expand(t, [4, 2, 3]))(x).dataSync())).toEqual([8, 8, 8]);
    expect(() => F.expand(x, [2, 2, 2])).toThrow(/cannot expand shape \[1, 1, 3\] to \[2, 2, 2\]: dim 2 has size 3, not 1/);
    expect(() => F.expand(x, [-1, 1, 1, 3])).toThrow(/-1 is not allowed for the new leading dim 0/);
    expect(() => F.expand(x, [3])).toThrow(/1 sizes for 3 dims/);
  });
  it('select takes one index of a dim and drops the dim (x[:, 0], x[..., -1]); its gradient lands on that slice', () => {
    const x = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(F.select(x, 1, 0).arraySync()).toEqual([[1, 2], [5, 6]]);
    expect(F.select(x, -1, -1).arraySync()).toEqual([[2, 4], [6, 8]]);
    expect(Array.from(tf.grad((t: tf.Tensor) => F.select(t, 1, 1))(x).dataSync())).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    expect(() => F.select(x, 1, 2)).toThrow(/select: index 2 is out of range for dim 1 of size 2 \(shape \[2, 2, 2\]\)/);
    expect(() => F.select(x, 3, 0)).toThrow(/select: dim 3 is out of range for a tensor of rank 3/);
  });
  it('linear handles rank-3 inputs and checks shapes', () => {
    const y = F.linear(tf.ones([2, 3, 4]), tf.ones([5, 4]), tf.zeros([5]));
    expect(y.shape).toEqual([2, 3, 5]);
    expect(y.dataSync()[0]).toBe(4);
    expect(() => F.linear(tf.ones([2, 3]), tf.ones([5, 4]))).toThrow(/linear: input shape \[2, 3\] does not end in 4/);
  });
});

describe('tracing hooks', () => {
  afterEach(() => {
    setFunctionalHook(null);
    setModuleCallHook(null);
  });
  it('a layer call is one functional op with its geometry as attrs', () => {
    const seen: Array<[string, Record<string, unknown>]> = [];
    setFunctionalHook((op, _inputs, attrs, run) => {
      seen.push([op, attrs]);
      return run();
    });
    const model = new Sequential(new Conv2d(1, 2, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8, 3));
    const y = model.call(tf.ones([1, 1, 4, 4])) as tf.Tensor;
    expect(y.shape).toEqual([1, 3]);
    expect(seen.map(([op]) => op)).toEqual(['conv2d', 'relu', 'maxPool2d', 'flatten', 'linear']);
    expect(seen[0]![1]).toEqual({ stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 });
    expect(seen[2]![1]).toMatchObject({ kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false });
  });
  it('module calls go through the module hook, children included', () => {
    const names: string[] = [];
    setModuleCallHook((m, _args, run) => {
      names.push(m.typeName);
      return run();
    });
    new Sequential(new Linear(2, 2), new ReLU()).call(tf.ones([1, 2]));
    expect(names).toEqual(['Sequential', 'Linear', 'ReLU']);
  });
});
