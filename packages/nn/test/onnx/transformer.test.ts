// Transformer layers and ops exported to ONNX and run in onnxruntime-node ('basic' level):
// outputs equal pq's forward to float rounding, at opset 13 (LayerNorm decomposed) and 17
// (LayerNormalization), for other batch sizes than the sample's where the graph allows it.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  Embedding, F, LayerNorm, Linear, Module, MultiheadAttention, TransformerEncoder, TransformerEncoderLayer, exportOnnx, manualSeed,
} from '@pq/nn';
import { graphView, maxAbsDiff, runOrt, runPq, seeded } from './ort.js';

/** Token ids -> embedding + position -> encoder (pre-norm gelu) -> mean over tokens -> logits. */
class TinyTransformer extends Module {
  tok = new Embedding(11, 8);
  encoder: TransformerEncoder;
  head = new Linear(8, 3);
  constructor(readonly mask: tf.Tensor | null) {
    super();
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.1, activation: 'gelu', batchFirst: true, normFirst: true });
    this.encoder = new TransformerEncoder(layer, 2, { norm: new LayerNorm(8) });
    layer.dispose();
  }
  forward(ids: tf.Tensor): tf.Tensor {
    const h = this.encoder.call(this.tok.call(ids), { mask: this.mask }) as tf.Tensor;
    return this.head.call(F.mean(h, 1)) as tf.Tensor;
  }
}

function ids(batch: number, seq: number, seed: number): tf.Tensor {
  return tf.tensor(Array.from({ length: batch * seq }, (_, i) => (i * 7 + seed * 3) % 11), [batch, seq], 'int32');
}

async function compare(model: Module, bytes: Uint8Array, inputs: tf.Tensor[]): Promise<number> {
  const ours = await runOrt(bytes, inputs);
  const ref = runPq(model, inputs);
  expect(ours.map((r) => r.dims)).toEqual(ref.map((r) => r.dims));
  return Math.max(...ours.map((r, i) => maxAbsDiff(r.data, ref[i]!.data)));
}

describe('exportOnnx: Transformer layers in ONNX Runtime', () => {
  it('embedding + 2 encoder layers (causal mask) + mean + head, opsets 13 and 17, batch 1 and 3', async () => {
    manualSeed(11);
    const causal = tf.tensor(Array.from({ length: 25 }, (_, i) => Math.floor(i / 5) < i % 5), [5, 5], 'bool');
    const model = new TinyTransformer(causal);
    for (const opset of [13, 17]) {
      const bytes = exportOnnx(model, ids(1, 5, 0), { opset });
      const ops = new Set(graphView(bytes).nodes.map((n) => n.opType));
      expect(ops.has('Gather') && ops.has('MatMul') && ops.has('Softmax') && ops.has('Erf') && ops.has('ReduceMean')).toBe(true);
      expect(ops.has('LayerNormalization')).toBe(opset >= 17);
      for (const batch of [1, 3]) expect(await compare(model, bytes, [ids(batch, 5, batch)])).toBeLessThanOrEqual(1e-5);
    }
    model.dispose();
  });

  it('MultiheadAttention with attention weights and a key padding mask (fixed batch)', async () => {
    manualSeed(12);
    class Cross extends Module {
      mha = new MultiheadAttention(8, 4);
      constructor(readonly kpm: tf.Tensor) {
        super();
      }
      forward(q: tf.Tensor, kv: tf.Tensor): tf.Tensor[] {
        return this.mha.call(q, kv, kv, { keyPaddingMask: this.kpm }) as tf.Tensor[];
      }
    }
    const model = new Cross(tf.tensor([[false, false, true], [false, false, false]], [2, 3], 'bool'));
    const inputs = [seeded([4, 2, 8], 1), seeded([3, 2, 8], 2)];
    const bytes = exportOnnx(model, inputs, { dynamicBatch: false });
    expect(await compare(model, bytes, inputs)).toBeLessThanOrEqual(1e-5);
  });

  it('F.matmul (broadcast), F.bmm, F.permute, F.chunk, F.scaledDotProductAttention (causal), F.layerNorm, F.mseLoss', async () => {
    class Ops extends Module {
      w = tf.variable(seeded([4, 6], 5), false);
      forward(x: tf.Tensor): tf.Tensor[] {
        const y = F.matmul(x, this.w); // [N, 3, 6]
        const [a, b] = F.chunk(y, 2, -1) as [tf.Tensor, tf.Tensor];
        const att = F.scaledDotProductAttention(a, b, F.permute(F.permute(b, [0, 2, 1]), [0, 2, 1]), { isCausal: true });
        const prod = F.bmm(att, F.transpose(a, 1, 2));
        return [F.layerNorm(prod, [3]), F.mseLoss(a, b), F.mseLoss(a, b, { reduction: 'sum' })];
      }
    }
    const model = new Ops();
    const x = seeded([2, 3, 4], 9);
    const bytes = exportOnnx(model, x, { dynamicBatch: false });
    expect(await compare(model, bytes, [x])).toBeLessThanOrEqual(1e-5);
  });

  it('F.expand of a class token to the batch and F.select of it: the batch stays free (sample batch 1 and 2)', async () => {
    class Token extends Module {
      token = tf.variable(seeded([1, 1, 4], 3), false);
      forward(x: tf.Tensor): tf.Tensor {
        const withToken = F.cat([F.expand(this.token, [x.shape[0]!, -1, -1]), x], 1);
        return F.add(F.select(withToken, 1, 0), F.select(withToken, 1, -1));
      }
    }
    const model = new Token();
    for (const sample of [1, 2]) {
      const bytes = exportOnnx(model, seeded([sample, 3, 4], 1));
      expect(graphView(bytes).nodes.map((n) => n.opType)).toEqual(['Shape', 'Gather', 'Concat', 'Expand', 'Concat', 'Gather', 'Gather', 'Add']);
      for (const batch of [1, 5]) expect(await compare(model, bytes, [seeded([batch, 3, 4], 7 + batch)])).toBe(0);
    }
  });
});
