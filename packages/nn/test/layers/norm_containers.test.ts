// BatchNorm's checks, state (int64 batch count through state files) and memory; ModuleList and
// ModuleDict behaviour. The numbers themselves are checked against PyTorch in torch_reference.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as nn from '@pq/nn';

describe('BatchNorm', () => {
  it('refuses bad inputs and options, naming the layer, and counts no batch it refused', () => {
    const bn = new nn.BatchNorm2d(3);
    expect(() => bn.call(tf.zeros([2, 3, 4]))).toThrow(
      'BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True): expected input [N, 3, H, W] (rank 4), got shape [2, 3, 4]',
    );
    expect(() => new nn.BatchNorm1d(3).call(tf.zeros([2, 4]))).toThrow(/expected input \[N, 3\] or \[N, 3, L\] with 3 channels, got shape \[2, 4\]/);
    expect(() => bn.call(tf.zeros([1, 3, 1, 1]))).toThrow(/expected more than 1 value per channel when training, got input of shape \[1, 3, 1, 1\]/);
    expect(bn.num_batches_tracked!.dataSync()[0]).toBe(0);
    expect(() => new nn.BatchNorm2d(3, { momentom: 0.1 } as never)).toThrow(/BatchNorm2d: unknown option 'momentom'/);
    expect(() => new nn.BatchNorm2d(0)).toThrow(/numFeatures must be a positive integer, got 0/);
    expect(() => nn.F.batchNorm(tf.zeros([2, 3]), null, null)).toThrow(/runningMean and runningVar are needed in evaluation mode/);
    expect(() => nn.F.batchNorm(tf.zeros([2, 3]), tf.zeros([3]), tf.ones([3]), { training: true })).toThrow(/runningMean must be a tf.Variable/);
    bn.dispose();
  });

  it('keeps num_batches_tracked as int64 through safetensors and JSON, and loads it back', () => {
    const bn = new nn.BatchNorm1d(2);
    tf.tidy(() => {
      for (let i = 0; i < 3; i++) bn.call(tf.randomNormal([4, 2], 0, 1, 'float32', i));
    });
    const state = bn.stateDict();
    expect(state['num_batches_tracked']).toEqual({ data: Float32Array.from([3]), shape: [], dtype: 'int64' });
    const bytes = nn.encodeSafetensors(state);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    expect(header['num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], data_offsets: [header['running_var'].data_offsets[1], header['running_var'].data_offsets[1] + 8] });
    expect(nn.decodeSafetensors(bytes)).toEqual(state);
    expect(nn.decodeStateJson(nn.encodeStateJson(state))).toEqual(state);
    const other = new nn.BatchNorm1d(2);
    other.loadStateDict(nn.decodeSafetensors(bytes));
    expect(other.num_batches_tracked!.dtype).toBe('int32');
    expect(other.stateDict()).toEqual(state);
    expect(() => nn.encodeSafetensors({ n: { data: Float32Array.from([1.5]), shape: [], dtype: 'int64' } })).toThrow(/'n' is int64 but holds a non-integer value/);
    bn.dispose();
    other.dispose();
  });

  it('trains with a constant tensor count (forward, backward, running statistics)', () => {
    const bn = new nn.BatchNorm2d(4, { momentum: null });
    const opt = tf.train.sgd(0.1);
    const x = tf.randomNormal([3, 4, 5, 5], 0, 1, 'float32', 7);
    const step = (): void => tf.tidy(() => void opt.minimize(() => tf.sum(tf.square(bn.call(x) as tf.Tensor)) as tf.Scalar));
    step();
    const count = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(count);
    expect(bn.num_batches_tracked!.dataSync()[0]).toBe(6);
    bn.resetParameters();
    expect(Array.from(bn.running_var!.dataSync())).toEqual([1, 1, 1, 1]);
    expect(bn.num_batches_tracked!.dataSync()[0]).toBe(0);
    x.dispose();
    bn.dispose();
  });
});

describe('ModuleList and ModuleDict', () => {
  it('ModuleList indexes, iterates, inserts and refuses non-modules', () => {
    const [a, b, c] = [new nn.ReLU(), new nn.ReLU6(), new nn.SiLU()];
    const list = new nn.ModuleList<nn.Module>([a, c]);
    list.insert(1, b);
    expect([list[0], list[1], list[2], list.length]).toEqual([a, b, c, 3]);
    expect([...list]).toEqual([a, b, c]);
    expect(list.at(-1)).toBe(c);
    expect([...list.children()].map(([k]) => k)).toEqual(['0', '1', '2']);
    expect(() => list.at(3)).toThrow('ModuleList: index 3 is out of range for 3 modules');
    expect(() => list.append(3 as never)).toThrow('ModuleList: element 3 is not a Module (got number)');
    expect(() => list.call()).toThrow(/ModuleList has no forward/);
  });

  it('ModuleDict gets, sets, deletes and refuses names that are not child names', () => {
    const conv = new nn.Conv2d(1, 1, 1);
    const dict = new nn.ModuleDict<nn.Module>({ conv, act: new nn.GELU() });
    expect(dict.keys()).toEqual(['conv', 'act']);
    expect(dict.get('conv')).toBe(conv);
    expect(dict.get('nope')).toBeUndefined();
    expect(dict.delete('act')?.typeName).toBe('GELU');
    expect([dict.size, dict.has('act')]).toEqual([1, false]);
    expect(() => dict.set('training', new nn.ReLU())).toThrow("ModuleDict: child name 'training' is a member of ModuleDict");
    expect(() => dict.set('get', new nn.ReLU())).toThrow("ModuleDict: child name 'get' is a member of ModuleDict");
    expect(() => dict.set('a.b', new nn.ReLU())).toThrow("ModuleDict: child name 'a.b' must not contain '.'");
    dict.dispose();
  });
});
