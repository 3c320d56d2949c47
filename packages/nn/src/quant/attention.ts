// QuantMultiheadAttention: MultiheadAttention with ModelOpt's attention quantizers. The packed
// in-projection has `_input_quantizer` (on query, key and value) and `_weight_quantizer` (on
// in_proj_weight, per row by default); out_proj is a QuantLinear; `q_bmm_quantizer` and
// `k_bmm_quantizer` quantize the inputs of the first batched product (q scaled, kᵀ),
// `softmax_quantizer` and `v_bmm_quantizer` those of the second (the attention weights, v).
// Each is a TensorQuantizer, switchable on its own; an ONNX export gives every product a
// QuantizeLinear / DequantizeLinear pair on both inputs.
import * as tf from '@tensorflow/tfjs-core';
import { QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW } from '@pq/core';
import { MultiheadAttention, type MultiheadAttentionOptions } from '../layers/attention.js';
import { bmm } from '../functional/matmul.js';
import { QuantLinear } from './linear.js';
import { QuantMixin, splitQuantOptions, type QuantWeightOptions } from './quant_mixin.js';
import { TensorQuantizer } from './tensor_quantizer.js';

export interface QuantMultiheadAttentionOptions extends MultiheadAttentionOptions, QuantWeightOptions {}

type QuantMultiheadAttentionArgs = [embedDim: number, numHeads: number, o?: QuantMultiheadAttentionOptions];

export class QuantMultiheadAttention extends QuantMixin<typeof MultiheadAttention, QuantMultiheadAttentionArgs>(MultiheadAttention, {
  weight: QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW,
}) {
  declare out_proj: QuantLinear;
  q_bmm_quantizer: TensorQuantizer;
  k_bmm_quantizer: TensorQuantizer;
  v_bmm_quantizer: TensorQuantizer;
  softmax_quantizer: TensorQuantizer;

  constructor(...args: QuantMultiheadAttentionArgs) {
    super(...args);
    const { input, weight } = splitQuantOptions(new.target, args[2], true);
    // out_proj quantized with the layer's descriptors, starting from the float one's parameters.
    const float = this.out_proj;
    const outProj = new QuantLinear(this.embedDim, this.embedDim, {
      bias: float.bias !== null, quantDescInput: input, quantDescWeight: weight!,
    });
    outProj.loadStateDict(float.stateDict(), { strict: false });
    float.dispose();
    this.out_proj = outProj;
    this.q_bmm_quantizer = new TensorQuantizer(input);
    this.k_bmm_quantizer = new TensorQuantizer(input);
    this.v_bmm_quantizer = new TensorQuantizer(input);
    this.softmax_quantizer = new TensorQuantizer(input);
  }

  protected override inProjection(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const quant = (t: tf.Tensor) => this._input_quantizer.call(t) as tf.Tensor;
    const qq = quant(q);
    const qk = k === q ? qq : quant(k);
    const qv = v === k ? qk : v === q ? qq : quant(v);
    return this.project(qq, qk, qv, this._weight_quantizer.call(this.in_proj_weight) as tf.Tensor);
  }

  protected override scores(q: tf.Tensor, kT: tf.Tensor): tf.Tensor {
    return bmm(this.q_bmm_quantizer.call(q) as tf.Tensor, this.k_bmm_quantizer.call(kT) as tf.Tensor);
  }

  protected override attend(weights: tf.Tensor, v: tf.Tensor): tf.Tensor {
    return bmm(this.softmax_quantizer.call(weights) as tf.Tensor, this.v_bmm_quantizer.call(v) as tf.Tensor);
  }
}
