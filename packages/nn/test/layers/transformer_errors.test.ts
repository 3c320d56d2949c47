// Bad arguments to the Transformer layers and ops get errors that name the layer or op, the
// option and the shapes involved.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Embedding, F, LayerNorm, MultiheadAttention, TransformerEncoder, TransformerEncoderLayer } from '@pq/nn';

describe('Transformer layer and op errors', () => {
  it('MultiheadAttention: geometry, options, inputs and masks', () => {
    expect(() => new MultiheadAttention(6, 4)).toThrow('MultiheadAttention: embedDim (6) must be divisible by numHeads (4)');
    expect(() => new MultiheadAttention(8, 2, { batch_first: true } as never)).toThrow("unknown option 'batch_first'; did you mean 'batchFirst'?");
    const m = new MultiheadAttention(8, 2);
    const x = tf.zeros([3, 2, 8]);
    expect(() => m.call(tf.zeros([3, 2, 6]), x, x)).toThrow(
      'MultiheadAttention(embed_dim=8, num_heads=2, batch_first=False): expected query [L, N, E] with E = 8 and key / value of the same rank, got [3, 2, 6], [3, 2, 8], [3, 2, 8]',
    );
    expect(() => m.call(x, x, x, { attnMask: tf.zeros([3, 4], 'bool') })).toThrow('the shape of the 2D attnMask is [3, 4], but should be [3, 3]');
    expect(() => m.call(x, x, x, { keyPaddingMask: tf.zeros([3, 2], 'bool') })).toThrow('expected keyPaddingMask of shape [2, 3], got [3, 2]');
    expect(() => m.call(x, x, x, { attnMask: tf.zeros([3, 3], 'int32') })).toThrow('attnMask must be a bool or float32 tensor, got dtype int32');
    expect(() => m.call(x, x, x, { needWeight: false } as never)).toThrow("unknown option 'needWeight'");
    m.dispose();
  });

  it('TransformerEncoderLayer / TransformerEncoder', () => {
    expect(() => new TransformerEncoderLayer(8, 2, { activation: 'swish' as never })).toThrow("activation should be 'relu' or 'gelu', not 'swish'");
    expect(() => new TransformerEncoder(new LayerNorm(8) as never, 2)).toThrow('TransformerEncoder: encoderLayer must be a TransformerEncoderLayer');
  });

  it('LayerNorm and Embedding', () => {
    expect(() => new LayerNorm(4).call(tf.zeros([2, 5]))).toThrow('layerNorm: given normalizedShape=[4], expected input with shape [*, 4], but got input of shape [2, 5]');
    const e = new Embedding(5, 2);
    expect(() => e.call([1, 5])).toThrow('embedding: index 5 (at position 1) is out of range for 5 embeddings (expected 0..4)');
    expect(() => new Embedding(5, 2, { paddingIdx: 5 })).toThrow('paddingIdx must be within num_embeddings (-5..4), got 5');
    e.dispose();
  });

  it('functional ops', () => {
    const a = tf.zeros([2, 3]);
    expect(() => F.matmul(a, tf.zeros([2, 3]))).toThrow('matmul: shapes [2, 3] and [2, 3] cannot be multiplied');
    expect(() => F.bmm(tf.zeros([2, 3, 4]), tf.zeros([3, 4, 5]))).toThrow('bmm: expected [B, n, m] and [B, m, p], got shapes [2, 3, 4] and [3, 4, 5]');
    expect(() => F.permute(a, [0])).toThrow("permute: number of dims don't match");
    expect(() => F.permute(a, [1, 1])).toThrow('permute: dims [1, 1] repeat a dim');
    expect(() => F.transpose(a, 0, 2)).toThrow('transpose: dim 2 is out of range for a tensor of rank 2');
    expect(() => F.reshape(a, [4, -1])).toThrow('reshape: shape [4, -1] is invalid for input of shape [2, 3] (6 elements)');
    expect(() => F.chunk(a, 0)).toThrow('chunk: chunks must be a positive integer, got 0');
    expect(() => F.mseLoss(a, tf.zeros([3, 2]))).toThrow('mseLoss: target shape [3, 2] does not broadcast to input shape [2, 3]');
    expect(() => F.mseLoss(a, a, { reduction: 'avg' as never })).toThrow("mseLoss: reduction must be 'mean', 'sum' or 'none', got 'avg'");
    const q = tf.zeros([1, 3, 4]);
    expect(() => F.scaledDotProductAttention(q, q, q, { isCausal: true, attnMask: tf.ones([3, 3], 'bool') })).toThrow('isCausal needs no attnMask');
    expect(() => F.scaledDotProductAttention(q, q, q, { attnMask: tf.ones([3, 4], 'bool') })).toThrow(
      'attnMask of shape [3, 4] does not broadcast to the scores [..., L, S] = [1, 3, 3]',
    );
  });
});
