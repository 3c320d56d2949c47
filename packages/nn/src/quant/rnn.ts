// QuantLSTMCell and QuantLSTM (the reference's quant_rnn.py): at each step the input quantizer
// runs on concat([x, h], 1) and the weight quantizer on concat([w_ih, w_hh], 1) — one fused
// GEMM's operands, as at inference — then the standard LSTM cell. QuantLSTM keeps one pair of
// quantizers per layer and direction (`_input_quantizers.0`, `_weight_quantizers.0`, ...).
import * as tf from '@tensorflow/tfjs-core';
import { QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW, QUANT_DESC_8BIT_PER_TENSOR, type QuantDescriptor } from '@pq/core';
import { ModuleList } from '../layers/container.js';
import { LSTM, LSTMCell, type LSTMCellOptions, type LSTMOptions } from '../layers/rnn.js';
import { lstmCell } from '../functional/rnn.js';
import { QuantMixin, checkDescriptor, splitQuantOptions, type QuantWeightOptions } from './quant_mixin.js';
import { TensorQuantizer } from './tensor_quantizer.js';

export interface QuantLSTMCellOptions extends LSTMCellOptions, QuantWeightOptions {}
export interface QuantLSTMOptions extends LSTMOptions, QuantWeightOptions {}

/** One LSTM step with the fused input and fused weight quantized. */
function quantLstmStep(
  inputQuantizer: TensorQuantizer,
  weightQuantizer: TensorQuantizer,
  x: tf.Tensor,
  h: tf.Tensor,
  c: tf.Tensor,
  p: { weightIh: tf.Tensor; weightHh: tf.Tensor; biasIh: tf.Tensor | null; biasHh: tf.Tensor | null },
): [tf.Tensor, tf.Tensor] {
  const inputSize = x.shape[1]!;
  const hidden = h.shape[1]!;
  const [qx, qh] = tf.split(inputQuantizer.call(tf.concat([x, h], 1)) as tf.Tensor, [inputSize, hidden], 1);
  const [qwIh, qwHh] = tf.split(weightQuantizer.call(tf.concat([p.weightIh, p.weightHh], 1)) as tf.Tensor, [inputSize, hidden], 1);
  return lstmCell(qx!, qh!, c, qwIh!, qwHh!, p.biasIh, p.biasHh);
}

type QuantLSTMCellArgs = [inputSize: number, hiddenSize: number, o?: QuantLSTMCellOptions];

export class QuantLSTMCell extends QuantMixin<typeof LSTMCell, QuantLSTMCellArgs>(LSTMCell, { weight: QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW }) {
  override cellForward(x: tf.Tensor, h: tf.Tensor, c: tf.Tensor): [tf.Tensor, tf.Tensor] {
    return quantLstmStep(this._input_quantizer, this._weight_quantizer, x, h, c, {
      weightIh: this.weight_ih,
      weightHh: this.weight_hh,
      biasIh: this.bias_ih,
      biasHh: this.bias_hh,
    });
  }
}

export class QuantLSTM extends LSTM {
  static override optionKeys: readonly string[] = [...LSTM.optionKeys, 'quantDescInput', 'quantDescWeight'];
  static defaultQuantDescInput: QuantDescriptor = QUANT_DESC_8BIT_PER_TENSOR;
  static defaultQuantDescWeight: QuantDescriptor = QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW;

  static setDefaultQuantDescInput(value: QuantDescriptor): void {
    this.defaultQuantDescInput = checkDescriptor(this.name, 'setDefaultQuantDescInput', value);
  }

  static setDefaultQuantDescWeight(value: QuantDescriptor): void {
    this.defaultQuantDescWeight = checkDescriptor(this.name, 'setDefaultQuantDescWeight', value);
  }

  /** One input quantizer per layer and direction (index layer * directions + direction). */
  declare _input_quantizers: ModuleList<TensorQuantizer>;
  declare _weight_quantizers: ModuleList<TensorQuantizer>;

  constructor(inputSize: number, hiddenSize: number, o: QuantLSTMOptions = {}) {
    const { input, weight } = splitQuantOptions(new.target, o, true);
    super(inputSize, hiddenSize, o);
    const count = this.numLayers * this.directions;
    this._input_quantizers = new ModuleList(Array.from({ length: count }, () => new TensorQuantizer(input)));
    this._weight_quantizers = new ModuleList(Array.from({ length: count }, () => new TensorQuantizer(weight!)));
  }

  override cellForward(layer: number, reverse: boolean, x: tf.Tensor, h: tf.Tensor, c: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const k = layer * this.directions + (reverse ? 1 : 0);
    return quantLstmStep(this._input_quantizers[k]!, this._weight_quantizers[k]!, x, h, c, this.cellParameters(layer, reverse));
  }
}
