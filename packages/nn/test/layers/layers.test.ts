// Construction, defaults, initialisation, state-dict names and error messages of the float layers.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as nn from '@pq/nn';
import { expectClose, fixture, tensorOf } from './util.js';

const bound = (t: tf.Tensor): number => Math.max(...Array.from(t.dataSync(), Math.abs));

describe('default initialisation', () => {
  it('Linear and Conv draw weight and bias from U(±1/sqrt(fan_in))', () => {
    nn.manualSeed(0);
    const lin = new nn.Linear(50, 40);
    expect(bound(lin.weight)).toBeLessThanOrEqual(1 / Math.sqrt(50));
    expect(bound(lin.weight)).toBeGreaterThan(0.9 / Math.sqrt(50));
    expect(bound(lin.bias!)).toBeLessThanOrEqual(1 / Math.sqrt(50));
    const conv = new nn.Conv2d(4, 8, 3, { groups: 2 });
    expect(conv.weight.shape).toEqual([8, 2, 3, 3]);
    expect(bound(conv.weight)).toBeLessThanOrEqual(1 / Math.sqrt(18));
    expect(bound(conv.weight)).toBeGreaterThan(0.9 / Math.sqrt(18));
    // Transposed: weight [in, out/groups, k...]; PyTorch's fan_in is its dim 1 times the kernel.
    const convT = new nn.ConvTranspose2d(4, 6, 3, { groups: 2 });
    expect(convT.weight.shape).toEqual([4, 3, 3, 3]);
    expect(bound(convT.bias!)).toBeLessThanOrEqual(1 / Math.sqrt(27));
    expect(bound(convT.bias!)).toBeGreaterThan(0.5 / Math.sqrt(27));
  });
  it('LSTM parameters come from U(±1/sqrt(hidden))', () => {
    const cell = new nn.LSTMCell(3, 16);
    for (const [, p] of cell.namedParameters()) expect(bound(p)).toBeLessThanOrEqual(0.25);
  });
  it('InstanceNorm affine starts at weight 1, bias 0; running stats at 0 and 1', () => {
    const norm = new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true });
    expect(Object.keys(norm.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(Array.from(norm.weight!.dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(norm.running_var!.dataSync())).toEqual([1, 1, 1]);
    expect([...norm.namedBuffers()].map(([k]) => k)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
  });
  it('manualSeed makes models reproducible', () => {
    nn.manualSeed(42);
    const a = new nn.Conv2d(3, 4, 3).weight.dataSync();
    nn.manualSeed(42);
    const b = new nn.Conv2d(3, 4, 3).weight.dataSync();
    const c = new nn.Conv2d(3, 4, 3).weight.dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
  it('resetParameters redraws from the generator', () => {
    const lin = new nn.Linear(4, 4);
    const before = Array.from(lin.weight.dataSync());
    lin.resetParameters();
    expect(Array.from(lin.weight.dataSync())).not.toEqual(before);
  });
});

describe('PyTorch state-dict names', () => {
  it('Sequential children are 0, 1, ...', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.Linear(4, 2, { bias: false }));
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(model.length).toBe(3);
    expect(model.at(-1)).toBeInstanceOf(nn.Linear);
  });
  it('Sequential from an object uses its keys', () => {
    const model = new nn.Sequential({ fc: new nn.Linear(2, 3), act: new nn.ReLU() });
    expect(Object.keys(model.stateDict())).toEqual(['fc.weight', 'fc.bias']);
  });
  it('LSTM parameters are named per layer and direction', () => {
    const lstm = new nn.LSTM(3, 2, { numLayers: 2, bidirectional: true });
    expect(Object.keys(lstm.stateDict())).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
      'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse',
    ]);
    expect(lstm.stateDict()['weight_ih_l1']!.shape).toEqual([8, 4]);
  });
  it('parameter-free layers have no state', () => {
    for (const m of [new nn.MaxPool2d(2), new nn.AvgPool1d(2), new nn.AdaptiveAvgPool3d(1), new nn.InstanceNorm1d(4), new nn.Dropout(), new nn.Flatten()]) {
      expect(m.stateDict()).toEqual({});
    }
  });
});

describe('defaults and shapes', () => {
  it('pools default stride to the kernel size', () => {
    const pool = new nn.MaxPool2d(3);
    expect(pool.stride).toBe(3);
    expect((pool.call(tf.zeros([1, 1, 9, 7])) as tf.Tensor).shape).toEqual([1, 1, 3, 2]);
    expect(new nn.AvgPool2d(2).countIncludePad).toBe(true);
    expect(new nn.AvgPool2d(2).ceilMode).toBe(false);
  });
  it('unbatched inputs work like PyTorch', () => {
    expect((new nn.Conv1d(2, 3, 3).call(tf.zeros([2, 8])) as tf.Tensor).shape).toEqual([3, 6]);
    expect((new nn.MaxPool3d(2).call(tf.zeros([1, 4, 4, 4])) as tf.Tensor).shape).toEqual([1, 2, 2, 2]);
    expect((new nn.InstanceNorm1d(2).call(tf.randomNormal([2, 5])) as tf.Tensor).shape).toEqual([2, 5]);
    const [h, c] = new nn.LSTMCell(3, 4).call(tf.zeros([3])) as tf.Tensor[];
    expect([h!.shape, c!.shape]).toEqual([[4], [4]]);
    const [out, [hn]] = new nn.LSTM(3, 4).call(tf.zeros([5, 3])) as [tf.Tensor, tf.Tensor[]];
    expect([out.shape, hn!.shape]).toEqual([[5, 4], [1, 4]]);
  });
  it("ConvTranspose forward(x, outputSize) picks the output padding", () => {
    const up = new nn.ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1 });
    const x = tf.zeros([1, 2, 4, 4]);
    expect((up.call(x) as tf.Tensor).shape).toEqual([1, 2, 7, 7]);
    expect((up.call(x, [8, 8]) as tf.Tensor).shape).toEqual([1, 2, 8, 8]);
    expect(() => up.call(x, [9, 8])).toThrow(/requested output size \[9, 8\] is not between \[7, 7\] and \[8, 8\]/);
  });
  it('adaptive pooling with output 1 is the spatial mean', () => {
    const x = tf.randomNormal([2, 3, 5, 4]);
    expectClose(new nn.AdaptiveAvgPool2d(1).call(x) as tf.Tensor, { shape: [2, 3, 1, 1], data: Array.from(tf.mean(x, [2, 3], true).dataSync()) }, 'mean');
  });
  it('InstanceNorm running statistics update like PyTorch, and eval uses them', () => {
    const r = fixture().running;
    const norm = new nn.InstanceNorm1d(3, { trackRunningStats: true });
    norm.call(tensorOf(r.x));
    expectClose(norm.running_mean!, r.running_mean, 'running_mean');
    expectClose(norm.running_var!, r.running_var, 'running_var');
    norm.eval();
    const y = norm.call(tf.fill([1, 3, 4], 2)) as tf.Tensor;
    const rm = norm.running_mean!.dataSync()[0]!;
    const rv = norm.running_var!.dataSync()[0]!;
    expect(y.dataSync()[0]).toBeCloseTo((2 - rm) / Math.sqrt(rv + 1e-5), 5);
  });
  it('Dropout is active in training mode only', () => {
    const drop = new nn.Dropout(0.9);
    const x = tf.ones([1000]);
    const zeros = (t: tf.Tensor): number => t.dataSync().filter((v) => v === 0).length;
    expect(zeros(drop.call(x) as tf.Tensor)).toBeGreaterThan(800);
    drop.eval();
    expect(zeros(drop.call(x) as tf.Tensor)).toBe(0);
  });
});

describe('clear errors', () => {
  it('wrong input rank names the layer and both shapes', () => {
    expect(() => new nn.Conv2d(3, 6, 3).call(tf.zeros([3, 8]))).toThrow(
      'Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1)): expected input [N, 3, H, W] or [3, H, W] (rank 4 or 3), got shape [3, 8]',
    );
    expect(() => new nn.MaxPool1d(2).call(tf.zeros([2, 3, 4, 5]))).toThrow(/MaxPool1d\(kernel_size=2, .*\): expected input \[N, C, L\] or \[C, L\] \(rank 3 or 2\), got shape \[2, 3, 4, 5\]/);
    expect(() => new nn.LSTM(3, 4).call(tf.zeros([2, 3]), undefined)).not.toThrow();
    expect(() => new nn.LSTM(3, 4).call(tf.zeros([2, 2, 2, 3]))).toThrow(/LSTM\(3, 4\): expected input \[L, N, 3\] or \[L, 3\], got shape \[2, 2, 2, 3\]/);
  });
  it('wrong channel count names the layer and both shapes', () => {
    expect(() => new nn.Conv2d(3, 6, 3).call(tf.zeros([2, 4, 8, 8]))).toThrow(
      'Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1)): expected input [N, 3, H, W] or [3, H, W] with 3 channels, got shape [2, 4, 8, 8]',
    );
    expect(() => new nn.ConvTranspose1d(2, 3, 2).call(tf.zeros([1, 3, 5]))).toThrow(/ConvTranspose1d\(2, 3, .*\): expected input \[N, 2, L\] or \[2, L\] with 2 channels, got shape \[1, 3, 5\]/);
    expect(() => new nn.Linear(320, 50).call(tf.zeros([4, 300]))).toThrow(
      'Linear(in_features=320, out_features=50, bias=True): expected input [..., 320], got shape [4, 300]',
    );
    expect(() => new nn.InstanceNorm2d(3).call(tf.zeros([1, 2, 4, 4]))).toThrow(/InstanceNorm2d\(3, .*\): expected input \[N, 3, H, W\] or \[3, H, W\] with 3 channels, got shape \[1, 2, 4, 4\]/);
    expect(() => new nn.LSTMCell(3, 4).call(tf.zeros([2, 3]), [tf.zeros([2, 5]), tf.zeros([2, 4])])).toThrow(/LSTMCell\(3, 4\): expected h of shape \[2, 4\], got \[2, 5\]/);
  });
  it('unknown options are refused, naming the key and the accepted ones', () => {
    expect(() => new nn.Conv2d(3, 6, 3, { strides: 2 } as never)).toThrow("Conv2d: unknown option 'strides' (accepted: stride, padding, dilation, groups, bias, paddingMode)");
    expect(() => new nn.Linear(3, 6, { biass: false } as never)).toThrow(/Linear: unknown option 'biass'/);
    expect(() => new nn.AvgPool1d(2, { divisorOverride: 2 } as never)).toThrow(/AvgPool1d: unknown option 'divisorOverride'/);
    expect(() => new nn.LSTM(2, 2, { hidden: 3 } as never)).toThrow(/LSTM: unknown option 'hidden'/);
    expect(() => F_conv()).toThrow(/conv2d: unknown option 'pad'/);
  });
  it('bad geometry is refused with the values', () => {
    expect(() => new nn.Conv2d(3, 6, 3, { groups: 2 })).toThrow('Conv2d: inChannels (3) must be divisible by groups (2)');
    expect(() => new nn.Conv2d(3, 6, [3, 3, 3])).toThrow(/Conv2d: kernelSize must be an int or 2 ints, got \[3,3,3\]/);
    expect(() => new nn.Conv1d(3, 6, 3, { stride: 2, padding: 'same' })).toThrow(/padding='same' is not supported for strided convolutions/);
    expect(() => new nn.ConvTranspose2d(2, 2, 3, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding \(2, 2\) must be smaller than either stride \(2, 2\) or dilation \(1, 1\)/);
    expect(() => new nn.MaxPool2d(2, { padding: 2 }).call(tf.zeros([1, 1, 8, 8]))).toThrow(/padding \[2, 2\] should be at most half of the kernel size \[2, 2\]/);
    expect(() => new nn.Conv2d(1, 1, 5).call(tf.zeros([1, 1, 3, 3]))).toThrow(/input spatial size \[3, 3\] \(padded \[3, 3\]\) is smaller than the dilated kernel \[5, 5\]/);
    expect(() => new nn.MaxPool2d(2, { returnIndices: true })).toThrow(/returnIndices is not supported/);
    expect(() => new nn.Conv2d(1, 1, 3, { paddingMode: 'mirror' as never })).toThrow("Conv2d: paddingMode must be 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'");
    expect(() => new nn.ConvTranspose2d(1, 1, 3, { paddingMode: 'reflect' as never })).toThrow("ConvTranspose2d: paddingMode must be 'zeros', got 'reflect'");
    expect(() => new nn.LSTM(2, 2, { projSize: 1 })).toThrow(/projSize 1 is not supported/);
  });
});

function F_conv(): tf.Tensor {
  return nn.F.conv2d(tf.zeros([1, 1, 3, 3]), tf.zeros([1, 1, 1, 1]), null, { pad: 1 } as never);
}

describe('training', () => {
  it('a model trained for 100 steps keeps the tensor count constant after the first step', () => {
    nn.manualSeed(5);
    const model = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(4 * 4 * 4, 3));
    const x = tf.randomNormal([8, 1, 8, 8]);
    const target = [0, 1, 2, 0, 1, 2, 0, 1];
    const opt = tf.train.sgd(0.1);
    const step = (): number => {
      const loss = opt.minimize(() => nn.F.crossEntropy(model.call(x) as tf.Tensor, target) as tf.Scalar, true, model.parameters());
      const v = loss!.dataSync()[0]!;
      loss!.dispose();
      return v;
    };
    const first = step();
    const count = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 99; i++) last = step();
    expect(tf.memory().numTensors).toBe(count);
    expect(last).toBeLessThan(first);
  });
});
