// nn.LSTMCell and nn.LSTM: PyTorch's parameter names (weight_ih, weight_hh, bias_ih, bias_hh;
// LSTM adds _l{k} and _reverse), gate order (i, f, g, o) and init U(±1/sqrt(hidden)).
import * as tf from '@tensorflow/tfjs-core';
import { Module, parameter } from '../module.js';
import { uniform } from '../init.js';
import { lstmCell } from '../functional/rnn.js';
import { dropout } from '../functional/activation.js';
import { checkOptions, formatShape } from '@pq/core';
import { checkPositiveInt } from '../args.js';
import { pyBool, pyFloat } from '../py_repr.js';
import { checkTensorInput, layerName } from './layer_input.js';
import { optionKeysOf } from './option_keys.js';
import { QUANT_SWAPPABLE, quantSwap } from '../quant_swap.js';

export interface LSTMCellOptions {
  bias?: boolean;
}

/** A parameter of `shape` drawn from U(±1/sqrt(hidden)) (PyTorch's RNN init). */
function rnnParameter(shape: number[], hidden: number, name: string): tf.Variable {
  const k = 1 / Math.sqrt(hidden);
  return parameter(uniform(shape, -k, k), name);
}

export class LSTMCell extends Module {
  static optionKeys: readonly string[] = ['bias'];
  static readonly [QUANT_SWAPPABLE] = true;
  // `!`: the constructor's early return (a quantModules redirect) leaves them to the other object.
  readonly inputSize!: number;
  readonly hiddenSize!: number;
  /** Whether the cell has biases (PyTorch's `bias` attribute). */
  readonly bias!: boolean;
  weight_ih!: tf.Variable;
  weight_hh!: tf.Variable;
  bias_ih!: tf.Variable | null;
  bias_hh!: tf.Variable | null;

  constructor(inputSize: number, hiddenSize: number, o: LSTMCellOptions = {}) {
    const swapped = quantSwap<LSTMCell>(new.target, [inputSize, hiddenSize, o]);
    if (swapped !== undefined) return swapped;
    super();
    checkOptions(this.typeName, o, optionKeysOf(this));
    this.inputSize = checkPositiveInt(this.typeName, 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt(this.typeName, 'hiddenSize', hiddenSize);
    this.bias = o.bias ?? true;
    const h = hiddenSize;
    this.weight_ih = rnnParameter([4 * h, inputSize], h, 'weight_ih');
    this.weight_hh = rnnParameter([4 * h, h], h, 'weight_hh');
    this.bias_ih = this.bias ? rnnParameter([4 * h], h, 'bias_ih') : null;
    this.bias_hh = this.bias ? rnnParameter([4 * h], h, 'bias_hh') : null;
  }

  /**
   * x [N, inputSize] (or unbatched [inputSize]); `hx` = [h, c] ([N, hidden] each), zeros when
   * omitted. Returns [h', c'].
   */
  override forward(x: tf.Tensor, hx?: [tf.Tensor, tf.Tensor] | null): [tf.Tensor, tf.Tensor] {
    checkTensorInput(this, x);
    if ((x.rank !== 2 && x.rank !== 1) || x.shape[x.rank - 1] !== this.inputSize) {
      throw new Error(`${layerName(this)}: expected input [N, ${this.inputSize}] or [${this.inputSize}], got shape ${formatShape(x.shape)}`);
    }
    const unbatched = x.rank === 1;
    const batch = unbatched ? 1 : x.shape[0]!;
    const state = [batch, this.hiddenSize];
    return tf.tidy(() => {
      const xb = unbatched ? tf.expandDims(x, 0) : x;
      const [h, c] = hx ? hx.map((t, i) => this.checkState(t, i === 0 ? 'h' : 'c', state, unbatched)) : [tf.zeros(state), tf.zeros(state)];
      const [h1, c1] = this.cellForward(xb, h!, c!);
      return unbatched ? [tf.squeeze(h1, [0]), tf.squeeze(c1, [0])] : [h1, c1];
    }) as [tf.Tensor, tf.Tensor];
  }

  /** One step with this cell's parameters (QuantLSTMCell overrides it to quantize first). */
  cellForward(x: tf.Tensor, h: tf.Tensor, c: tf.Tensor): [tf.Tensor, tf.Tensor] {
    return lstmCell(x, h, c, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
  }

  private checkState(t: tf.Tensor, name: string, state: number[], unbatched: boolean): tf.Tensor {
    const expected = unbatched ? [state[1]!] : state;
    if (t.rank !== expected.length || t.shape.some((s, i) => s !== expected[i])) {
      throw new Error(`${layerName(this)}: expected ${name} of shape ${formatShape(expected)}, got ${formatShape(t.shape)}`);
    }
    return unbatched ? tf.expandDims(t, 0) : t;
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=False'}`;
  }
}

export interface LSTMOptions {
  numLayers?: number;
  bias?: boolean;
  /** Input and output are [N, L, features] instead of [L, N, features]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. */
  dropout?: number;
  bidirectional?: boolean;
  /** Not supported; only 0 is accepted. */
  projSize?: number;
}

/** A multi-layer LSTM over a sequence (PyTorch's nn.LSTM, without projections). */
export class LSTM extends Module {
  static optionKeys: readonly string[] = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'projSize'];
  static readonly [QUANT_SWAPPABLE] = true;
  // `!`: the constructor's early return (a quantModules redirect) leaves them to the other object.
  readonly inputSize!: number;
  readonly hiddenSize!: number;
  readonly numLayers!: number;
  readonly bias!: boolean;
  readonly batchFirst!: boolean;
  readonly dropout!: number;
  readonly bidirectional!: boolean;

  constructor(inputSize: number, hiddenSize: number, o: LSTMOptions = {}) {
    const swapped = quantSwap<LSTM>(new.target, [inputSize, hiddenSize, o]);
    if (swapped !== undefined) return swapped;
    super();
    const name = this.typeName;
    checkOptions(name, o, optionKeysOf(this));
    this.inputSize = checkPositiveInt(name, 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt(name, 'hiddenSize', hiddenSize);
    this.numLayers = checkPositiveInt(name, 'numLayers', o.numLayers ?? 1);
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new Error(`${name}: dropout must be in [0, 1], got ${this.dropout}`);
    this.bidirectional = o.bidirectional ?? false;
    if ((o.projSize ?? 0) !== 0) throw new Error(`${name}: projSize ${o.projSize} is not supported (only 0)`);
    const h = hiddenSize;
    const fields = this as unknown as Record<string, tf.Variable | null>;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const layerInput = layer === 0 ? inputSize : h * this.directions;
      for (let dir = 0; dir < this.directions; dir++) {
        const s = this.suffix(layer, dir === 1);
        fields[`weight_ih${s}`] = rnnParameter([4 * h, layerInput], h, `weight_ih${s}`);
        fields[`weight_hh${s}`] = rnnParameter([4 * h, h], h, `weight_hh${s}`);
        if (this.bias) {
          fields[`bias_ih${s}`] = rnnParameter([4 * h], h, `bias_ih${s}`);
          fields[`bias_hh${s}`] = rnnParameter([4 * h], h, `bias_hh${s}`);
        }
      }
    }
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** `_l{layer}` plus `_reverse` for the backward direction. */
  suffix(layer: number, reverse: boolean): string {
    return `_l${layer}${reverse ? '_reverse' : ''}`;
  }

  /** The parameters of one layer and direction. */
  cellParameters(layer: number, reverse: boolean): { weightIh: tf.Variable; weightHh: tf.Variable; biasIh: tf.Variable | null; biasHh: tf.Variable | null } {
    const f = this as unknown as Record<string, tf.Variable | undefined>;
    const s = this.suffix(layer, reverse);
    return { weightIh: f[`weight_ih${s}`]!, weightHh: f[`weight_hh${s}`]!, biasIh: f[`bias_ih${s}`] ?? null, biasHh: f[`bias_hh${s}`] ?? null };
  }

  /** One time step of one layer and direction (QuantLSTM overrides it to quantize first). */
  cellForward(layer: number, reverse: boolean, x: tf.Tensor, h: tf.Tensor, c: tf.Tensor): [tf.Tensor, tf.Tensor] {
    const p = this.cellParameters(layer, reverse);
    return lstmCell(x, h, c, p.weightIh, p.weightHh, p.biasIh, p.biasHh);
  }

  /**
   * input [L, N, inputSize] ([N, L, inputSize] with batchFirst; unbatched [L, inputSize]);
   * `hx` = [h0, c0], each [numLayers·directions, N, hidden], zeros when omitted. Returns
   * [output, [hN, cN]] with output [L, N, directions·hidden].
   */
  override forward(input: tf.Tensor, hx?: [tf.Tensor, tf.Tensor] | null): [tf.Tensor, [tf.Tensor, tf.Tensor]] {
    checkTensorInput(this, input);
    if ((input.rank !== 3 && input.rank !== 2) || input.shape[input.rank - 1] !== this.inputSize) {
      const layout = this.batchFirst ? `[N, L, ${this.inputSize}]` : `[L, N, ${this.inputSize}]`;
      throw new Error(`${layerName(this)}: expected input ${layout} or [L, ${this.inputSize}], got shape ${formatShape(input.shape)}`);
    }
    const unbatched = input.rank === 2;
    const stacks = this.numLayers * this.directions;
    const out = tf.tidy(() => {
      // Work in [L, N, F].
      let seq = unbatched ? tf.expandDims(input, 1) : this.batchFirst ? tf.transpose(input, [1, 0, 2]) : input;
      const batch = seq.shape[1]!;
      const stateShape = [stacks, batch, this.hiddenSize];
      const [h0, c0] = hx ? hx.map((t, i) => this.checkState(t, i === 0 ? 'h0' : 'c0', stateShape, unbatched)) : [tf.zeros(stateShape), tf.zeros(stateShape)];
      const hs = tf.unstack(h0!);
      const cs = tf.unstack(c0!);
      const hN: tf.Tensor[] = [];
      const cN: tf.Tensor[] = [];
      for (let layer = 0; layer < this.numLayers; layer++) {
        const steps = tf.unstack(seq);
        const outputs: tf.Tensor[] = [];
        for (let dir = 0; dir < this.directions; dir++) {
          const reverse = dir === 1;
          let h = hs[layer * this.directions + dir]!;
          let c = cs[layer * this.directions + dir]!;
          const ys: tf.Tensor[] = new Array<tf.Tensor>(steps.length);
          for (let k = 0; k < steps.length; k++) {
            const t = reverse ? steps.length - 1 - k : k;
            [h, c] = this.cellForward(layer, reverse, steps[t]!, h, c);
            ys[t] = h;
          }
          outputs.push(tf.stack(ys));
          hN.push(h);
          cN.push(c);
        }
        seq = outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 2);
        if (layer < this.numLayers - 1 && this.dropout > 0) seq = dropout(seq, this.dropout, this.training);
      }
      const output = unbatched ? tf.squeeze(seq, [1]) : this.batchFirst ? tf.transpose(seq, [1, 0, 2]) : seq;
      let hOut = tf.stack(hN);
      let cOut = tf.stack(cN);
      if (unbatched) {
        hOut = tf.squeeze(hOut, [1]);
        cOut = tf.squeeze(cOut, [1]);
      }
      return [output, hOut, cOut];
    });
    return [out[0]!, [out[1]!, out[2]!]];
  }

  private checkState(t: tf.Tensor, name: string, shape: number[], unbatched: boolean): tf.Tensor {
    const expected = unbatched ? [shape[0]!, shape[2]!] : shape;
    if (t.rank !== expected.length || t.shape.some((s, i) => s !== expected[i])) {
      throw new Error(`${layerName(this)}: expected ${name} of shape ${formatShape(expected)}, got ${formatShape(t.shape)}`);
    }
    return unbatched ? tf.expandDims(t, 1) : t;
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ', bidirectional=True';
    return s;
  }
}
