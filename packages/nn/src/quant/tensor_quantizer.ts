// TensorQuantizer: the reference's quantizer module. One forward runs, in order: the
// SmoothQuant pre-scale, the disabled bypass, calibration (collect), the learned clip and the
// quantization itself (fake integer, real integer or E4M3). Its state dict holds `_amax`,
// `_pre_quant_scale` and, with learnAmax, `clip.clip_value_min` / `clip.clip_value_max`.
// With blockSizes (ModelOpt's block_sizes) the amax has one entry per block: calibrated
// (type 'static', the default) or each batch's own (type 'dynamic', no calibrator).
import * as tf from '@tensorflow/tfjs-core';
import {
  QuantDescriptor, blockAxes, blockQuant, checkNDArray, checkNumBits, checkOptions, describeValue, e4m3BlockQuant, formatBlockSizes,
  formatShape, isNumberArray, reduceBlockAmax, sameShape, type BlockSizes, type BlockSizesOption, type NDArray, type QuantKernels,
} from '@pq/core';
import { HistogramCalibrator, MaxCalibrator, type ComputeAmaxOptions, type HistogramMethod } from '@pq/calib';
import { Module, assignValue, buffer, stateEntry, type LoadContext } from '../module.js';
import { fakeQuant, type FakeQuantOptions } from '../ops/fake_quant.js';
import { amaxPerFirstAxis } from '../ops/amax_tensor.js';
import { callsObserved } from '../hooks.js';
import { realQuant } from '../ops/real_quant.js';
import { fakeE4M3 } from '../ops/fake_e4m3.js';
import { fakeBlockQuant } from '../ops/fake_block_quant.js';
import { getDefaultKernels } from '../ops/default_kernels.js';
import { dynamicAmax } from './dynamic_amax.js';
import { Clip } from './clip.js';
import { pyValue, pyFloat } from '../py_repr.js';

const E4M3_MAX_BOUND = 448;
const WHO = 'TensorQuantizer';

export interface TensorQuantizerOptions {
  /** Bypass the whole module (default false). */
  disabled?: boolean;
  /** Run the quantization stage (default true). */
  ifQuant?: boolean;
  /** Run the clip stage; needs learnAmax (default false, true with learnAmax). */
  ifClip?: boolean;
  /** Run the calibration stage (default false). */
  ifCalib?: boolean;
  /** Kernels for the fake-quant forward (default: the ops' default, jsKernels). */
  kernels?: QuantKernels;
}

/** A calibrator as the quantizer drives it (MaxCalibrator, HistogramCalibrator). */
export interface QuantizerCalibrator {
  collect(x: NDArray): void;
  computeAmax(...args: any[]): NDArray | number | null;
  reset(): void;
}

/** Anything the amax / preQuantScale setters accept. */
export type AmaxValue = number | readonly number[] | ArrayLike<number> | NDArray | tf.Tensor;

export class TensorQuantizer extends Module {
  /** Static amax (a buffer), absent while amax is dynamic. */
  _amax: tf.Variable | undefined = undefined;
  /** SmoothQuant per-channel input scale (a buffer), absent unless set. */
  _pre_quant_scale: tf.Variable | undefined = undefined;
  /** The learned-range clip (learnAmax only). */
  clip: Clip | undefined = undefined;

  #numBits: number | readonly [number, number];
  readonly #fakeQuant: boolean;
  readonly #axis: number | readonly number[] | null;
  readonly #blockSizes: BlockSizesOption | null;
  readonly #descriptor: QuantDescriptor;
  readonly #scaleAmax: number | null;
  readonly #learnAmax: boolean;
  #unsigned: boolean;
  #narrowRange: boolean;
  #disabled: boolean;
  #ifQuant: boolean;
  #ifClip = false;
  #ifCalib: boolean;
  readonly #calibrator: QuantizerCalibrator | null;
  readonly #kernels: QuantKernels | undefined;
  /** Real mode: the scale of the last quantization (null before the first); fake mode: unused. */
  #scale: tf.Tensor | null = null;
  /** Batches handed to the calibrator since creation (or the last resetCalibration). */
  #collected = 0;

  constructor(quantDesc: QuantDescriptor = new QuantDescriptor(), o: TensorQuantizerOptions = {}) {
    super();
    if (!(quantDesc instanceof QuantDescriptor)) {
      throw new TypeError(`TensorQuantizer: quantDesc must be a QuantDescriptor, got ${String(quantDesc)}`);
    }
    checkOptions('TensorQuantizer', o, { disabled: 'boolean', ifQuant: 'boolean', ifClip: 'boolean', ifCalib: 'boolean', kernels: 'object' });
    this.#numBits = quantDesc.numBits;
    this.#fakeQuant = quantDesc.fakeQuant;
    this.#axis = quantDesc.axis ?? null;
    this.#blockSizes = quantDesc.blockSizes;
    this.#descriptor = quantDesc;
    this.#scaleAmax = quantDesc.scaleAmax ?? null;
    this.#learnAmax = quantDesc.learnAmax;
    this.#unsigned = quantDesc.unsigned;
    this.#narrowRange = quantDesc.narrowRange;
    this.#disabled = o.disabled ?? false;
    this.#ifQuant = o.ifQuant ?? true;
    this.#ifCalib = o.ifCalib ?? false;
    this.#kernels = o.kernels;

    if (quantDesc.amax !== null && quantDesc.amax !== undefined) this.amax = quantDesc.amax;
    if (this.#learnAmax) {
      const init = quantDesc.amax === null || quantDesc.amax === undefined ? 1 : Math.max(...[quantDesc.amax].flat());
      this.clip = new Clip(-init, init, { learnMin: true, learnMax: true });
      this.enableClip();
    }
    if (o.ifClip) this.enableClip();

    if (this.#blockSizes !== null) {
      if (quantDesc.calibMethod === 'histogram') {
        throw new TypeError(`${WHO}: histogram calibration is per tensor or per axis; block-wise quantization (blockSizes) calibrates with 'max'`);
      }
      this.#calibrator = this.dynamicBlocks ? null : new MaxCalibrator({ blockSizes: this.#blockSizes, unsigned: this.#unsigned });
    } else if (quantDesc.calibMethod === 'histogram') {
      this.#calibrator = new HistogramCalibrator({
        numBits: this.#numBits as number | [4, 3],
        axis: this.#axis,
        unsigned: this.#unsigned,
        ...this.kernelOption(),
      });
    } else if (quantDesc.calibMethod === 'max') {
      this.#calibrator = new MaxCalibrator({
        ...(typeof this.#numBits === 'number' ? { numBits: this.#numBits } : {}),
        axis: this.#axis,
        unsigned: this.#unsigned,
        ...this.kernelOption(),
      });
    } else {
      this.#calibrator = null;
    }
  }

  // ---- settings -------------------------------------------------------------------------

  get numBits(): number | readonly [number, number] {
    return this.#numBits;
  }
  set numBits(v: number | readonly [number, number]) {
    if (isNumberArray(v) && v.length === 2 && v[0] === 4 && v[1] === 3) {
      this.#numBits = Object.freeze([4, 3] as const);
      return;
    }
    if (typeof v !== 'number') throw new TypeError(`${WHO}: numBits must be an integer or [4, 3] (E4M3), got ${describeValue(v)}`);
    checkNumBits(v, this.#unsigned, WHO);
    this.#numBits = v;
  }
  get unsigned(): boolean {
    return this.#unsigned;
  }
  set unsigned(v: boolean) {
    checkBoolean('unsigned', v);
    if (typeof this.#numBits === 'number') checkNumBits(this.#numBits, v, WHO);
    this.#unsigned = v;
  }
  get narrowRange(): boolean {
    return this.#narrowRange;
  }
  set narrowRange(v: boolean) {
    checkBoolean('narrowRange', v);
    this.#narrowRange = v;
  }
  get axis(): number | readonly number[] | null {
    return this.#axis;
  }
  get fakeQuant(): boolean {
    return this.#fakeQuant;
  }
  /** The descriptor this quantizer follows now (the one it was built from, with the current numBits, unsigned and narrowRange; no amax). */
  get descriptor(): QuantDescriptor {
    return this.#descriptor.with({ numBits: this.#numBits, unsigned: this.#unsigned, narrowRange: this.#narrowRange, amax: null });
  }
  /** Block-wise quantization's block sizes (with `type`), or null. */
  get blockSizes(): BlockSizesOption | null {
    return this.#blockSizes;
  }
  /** Block-wise with each batch's own block amax (blockSizes type 'dynamic'): nothing to calibrate. */
  get dynamicBlocks(): boolean {
    return this.#blockSizes?.type === 'dynamic';
  }
  get learnAmax(): boolean {
    return this.#learnAmax;
  }
  get scaleAmax(): number | null {
    return this.#scaleAmax;
  }
  get disabled(): boolean {
    return this.#disabled;
  }
  get ifQuant(): boolean {
    return this.#ifQuant;
  }
  get ifClip(): boolean {
    return this.#ifClip;
  }
  get ifCalib(): boolean {
    return this.#ifCalib;
  }
  /** The calibrator chosen by the descriptor's calibMethod. */
  get calibrator(): QuantizerCalibrator | null {
    return this.#calibrator;
  }
  /** How many batches the calibrator has collected (0: loadCalibAmax would find nothing). */
  get collectedBatches(): number {
    return this.#collected;
  }

  /** Clears the calibrator's statistics. */
  resetCalibration(): void {
    this.#calibrator?.reset();
    this.#collected = 0;
  }

  /** True for FP8 E4M3 (numBits `[4, 3]`). */
  get isE4M3(): boolean {
    return Array.isArray(this.#numBits);
  }

  /** 448 for E4M3, else `2^(numBits - 1 + unsigned) - 1`. */
  get maxBound(): number {
    if (this.isE4M3) return E4M3_MAX_BOUND;
    return 2 ** ((this.#numBits as number) - 1 + (this.#unsigned ? 1 : 0)) - 1;
  }

  /** Real mode: the scale of the last quantization (null before any); fake mode: 1. */
  get scale(): tf.Tensor | number | null {
    return this.#fakeQuant ? 1 : this.#scale;
  }

  /** `amax / (2^(numBits - 1 + unsigned) - 1)`; null while amax is dynamic. The caller disposes it. */
  get stepSize(): tf.Tensor | null {
    if (this._amax === undefined) return null;
    const bound = 2 ** ((this.#numBits as number) - 1 + (this.#unsigned ? 1 : 0)) - 1;
    return tf.div(this._amax, bound);
  }

  /** The static amax buffer, or null while amax is dynamic. */
  get amax(): tf.Variable | null {
    return this._amax ?? null;
  }

  /**
   * Sets the static amax (finite, >= 0), creating the `_amax` buffer; its shape cannot change
   * afterwards. Accepts a number, an array or typed array, an NDArray or a tensor.
   */
  set amax(value: AmaxValue) {
    this.setAmax(value, true);
  }

  private setAmax(value: AmaxValue, check: boolean): void {
    const t = toFloatTensor(value, 'amax');
    if (check) checkValues(t, 'amax', true);
    if (this._amax === undefined) {
      this._amax = buffer(t, '_amax');
      t.dispose();
      return;
    }
    if (!sameShape(this._amax.shape, t.shape)) {
      const shape = t.shape;
      t.dispose();
      throw new TypeError(
        `Changing shape when setting amax is not allowed: amax has shape ${formatShape(this._amax.shape)}, ` +
          `the new value ${formatShape(shape)}`,
      );
    }
    this._amax.assign(t);
    t.dispose();
  }

  /** SmoothQuant scale multiplied into the input before everything else; null when unset. */
  get preQuantScale(): tf.Variable | null {
    return this._pre_quant_scale ?? null;
  }

  set preQuantScale(value: AmaxValue) {
    const t = toFloatTensor(value, 'preQuantScale');
    checkValues(t, 'preQuantScale', false);
    if (this._pre_quant_scale === undefined) {
      this._pre_quant_scale = buffer(t, '_pre_quant_scale');
    } else if (!sameShape(this._pre_quant_scale.shape, t.shape)) {
      const shape = t.shape;
      t.dispose();
      throw new TypeError(
        `Changing shape when setting preQuantScale is not allowed: it has shape ` +
          `${formatShape(this._pre_quant_scale.shape)}, the new value ${formatShape(shape)}`,
      );
    } else {
      this._pre_quant_scale.assign(t);
    }
    t.dispose();
  }

  // ---- stage toggles ----------------------------------------------------------------------

  disable(): void {
    this.#disabled = true;
  }
  enable(): void {
    this.#disabled = false;
  }
  disableQuant(): void {
    this.#ifQuant = false;
  }
  enableQuant(): void {
    this.#ifQuant = true;
  }
  disableCalib(): void {
    this.#ifCalib = false;
  }
  enableCalib(): void {
    if (this.#calibrator === null) throw new Error('TensorQuantizer: calibrator was not created, cannot enable calibration');
    this.#ifCalib = true;
  }
  /** Stops the clip stage and freezes the clip bounds. */
  disableClip(): void {
    this.#ifClip = false;
    if (this.clip !== undefined) setTrainable(this.clip, false);
  }
  /** Starts the clip stage (learning amax); an error without learnAmax. */
  enableClip(): void {
    if (!this.#learnAmax || this.clip === undefined) {
      throw new Error('TensorQuantizer: learnAmax is false, cannot enable clip (create it with a learnAmax descriptor)');
    }
    setTrainable(this.clip, true);
    this.#ifClip = true;
  }

  // ---- calibration and learned amax ---------------------------------------------------------

  /**
   * Loads amax from the calibrator (`computeAmax(method, opts)`), creating `_amax` when needed.
   * When the calibrator has seen nothing: an error if strict (default), else amax = NaN, as in
   * the reference: the quantizer then counts as uncalibrated and its forward refuses to run.
   */
  loadCalibAmax(method?: HistogramMethod, opts?: ComputeAmaxOptions, o: { strict?: boolean } = {}): void {
    const strict = o.strict ?? true;
    const calibrator = this.#calibrator;
    if (calibrator === null) throw new Error('TensorQuantizer: calibrator not created');
    let computed: NDArray | number | null;
    if (calibrator instanceof HistogramCalibrator) {
      if (method === undefined) {
        throw new TypeError("TensorQuantizer.loadCalibAmax: a histogram calibrator needs a method: 'entropy', 'mse' or 'percentile'");
      }
      computed = calibrator.computeAmax(method, opts);
    } else {
      computed = calibrator.computeAmax();
    }
    if (computed === null) {
      if (strict) {
        throw new Error(
          'TensorQuantizer.loadCalibAmax: the calibrator returned no amax; it has not collected any tensor. ' +
            'Run data through the model with calibration enabled first, or pass { strict: false } to set amax to NaN.',
        );
      }
      computed = Number.NaN;
    }
    const amax: NDArray = typeof computed === 'number' ? { data: new Float32Array([computed]), shape: [] } : computed;
    if (this._amax !== undefined && !sameShape(this._amax.shape, amax.shape)) {
      throw new TypeError(
        `TensorQuantizer.loadCalibAmax: calibrated amax has shape ${formatShape(amax.shape)}, ` +
          `the existing amax ${formatShape(this._amax.shape)}`,
      );
    }
    this.setAmax(amax, false);
  }

  /** Copies the static amax (its max over channels) into the learned clip range. */
  initLearnAmax(): void {
    if (!this.#learnAmax || this.clip === undefined) throw new Error('TensorQuantizer: called initLearnAmax with learnAmax false');
    if (this._amax === undefined) throw new Error('TensorQuantizer.initLearnAmax: no static amax to start from; calibrate or set amax first');
    const init = Math.max(...this._amax.dataSync());
    assignValue(this.clip.clip_value_min as tf.Variable, () => tf.scalar(-init));
    assignValue(this.clip.clip_value_max as tf.Variable, () => tf.scalar(init));
  }

  // ---- forward --------------------------------------------------------------------------------

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let inputs = x;
      if (this._pre_quant_scale !== undefined) inputs = tf.mul(inputs, this._pre_quant_scale);
      if (this.#disabled) return inputs;
      let outputs = inputs;
      if (this.#ifCalib) {
        if (this.#calibrator === null) throw new Error('TensorQuantizer: calibrator was not created');
        this.#calibrator.collect({ data: Float32Array.from(inputs.dataSync()), shape: [...inputs.shape] });
        this.#collected += 1;
      }
      if (this.#ifClip) {
        if (!this.#learnAmax || this.clip === undefined) throw new Error('TensorQuantizer: clip without learnAmax is not implemented');
        outputs = this.clip.call(inputs) as tf.Tensor;
      }
      if (this.#ifQuant) outputs = this.quantForward(inputs);
      return outputs;
    });
  }

  private quantForward(x: tf.Tensor): tf.Tensor {
    let inputs = x;
    let amax: tf.Tensor;
    if (this.#learnAmax && this.clip !== undefined) {
      inputs = this.clip.call(inputs) as tf.Tensor;
      // amax = max(-min, max), detached: read as values so no gradient flows through it.
      const lo = this.clip.clip_value_min.dataSync()[0]!;
      const hi = this.clip.clip_value_max.dataSync()[0]!;
      amax = tf.scalar(Math.max(-lo, hi));
    } else {
      amax = this.currentAmax(inputs);
    }
    if (this.#blockSizes !== null) return this.blockQuantForward(inputs, amax, blockAxes(this.#blockSizes));
    if (this.isE4M3) return fakeE4M3(inputs, amax);
    const numBits = this.#numBits as number;
    if (this.#fakeQuant) {
      return fakeQuant(inputs, amax, { numBits, unsigned: this.#unsigned, narrowRange: this.#narrowRange, ...this.kernelOption() });
    }
    // Real mode: the reference does not pass narrow_range here, so it is always narrow.
    const { outputs, scale } = realQuant(inputs, amax, { numBits, unsigned: this.#unsigned, ...this.kernelOption() });
    this.#scale?.dispose();
    this.#scale = tf.keep(scale);
    return outputs;
  }

  /**
   * The one fakeQuant op (amax and options) that this quantizer's forward runs on x, where that
   * is all it does: enabled, signed integer fake quantization on @pq/core's default kernels, no
   * pre-quant scale, calibration, clip, learned amax or blocks, and amax one value or one per
   * index of x's first axis (a weight's output channels). A layer then applies it itself, fused with the copy that lays its weight
   * out for the kernel. Null otherwise, where a hook watches module calls (it must see this
   * forward run), and where the amax is refused (the forward then throws its error).
   */
  asFakeQuant(x: tf.Tensor): { amax: tf.Tensor; options: FakeQuantOptions } | null {
    const plain = !this.#disabled && this.#ifQuant && !this.#ifCalib && !this.#ifClip && !this.#learnAmax && this._pre_quant_scale === undefined;
    if (!plain || this.#blockSizes !== null || this.isE4M3 || !this.#fakeQuant || callsObserved()) return null;
    // Unsigned (negative weights are an error) and custom kernels (which may throw) stay in the
    // forward, so that their errors name this quantizer as the forward's do.
    if (this.#unsigned || this.#kernels !== undefined) return null;
    let amax: tf.Tensor;
    try {
      amax = this.currentAmax(x);
    } catch {
      return null;
    }
    if (!amaxPerFirstAxis(x.shape, amax.shape)) return null;
    return { amax, options: { numBits: this.#numBits as number, unsigned: this.#unsigned, narrowRange: this.#narrowRange, ...this.kernelOption() } };
  }

  /**
   * Block-wise fake quantization (differentiable), or real quantization computed on values
   * (integers, or E4M3 codes scaled by 448/amax) with the per-block scale kept in `scale`.
   */
  private blockQuantForward(x: tf.Tensor, amax: tf.Tensor, blocks: BlockSizes): tf.Tensor {
    const e4m3 = this.isE4M3;
    const numBits = e4m3 ? 8 : (this.#numBits as number);
    if (this.#fakeQuant) return fakeBlockQuant(x, amax, blocks, { numBits, unsigned: this.#unsigned, narrowRange: this.#narrowRange, e4m3 });
    const xs = { data: Float32Array.from(x.dataSync()), shape: [...x.shape] };
    const a = { data: Float32Array.from(amax.dataSync()), shape: [...amax.shape] };
    const { outputs, scale } = e4m3 ? e4m3BlockQuant(xs, a, blocks) : blockQuant(xs, a, blocks, { numBits, unsigned: this.#unsigned });
    this.#scale?.dispose();
    this.#scale = tf.keep(tf.tensor(scale.data, [...scale.shape], 'float32'));
    return tf.tensor(outputs.data, [...outputs.shape], 'float32');
  }

  /** The static amax, or this batch's (max |x| over every axis not in `axis`, or per block), times scaleAmax. */
  private currentAmax(x: tf.Tensor): tf.Tensor {
    let amax: tf.Tensor;
    if (this._amax !== undefined) {
      amax = this._amax;
      if (amax.dataSync().some(Number.isNaN)) {
        throw new Error(
          'amax is NaN: loadCalibAmax found no calibration data (strict: false) or the state loaded held NaN; ' +
            'calibrate with data that reaches this quantizer, set amax, or disable it',
        );
      }
    } else {
      amax = this.#blockSizes !== null
        ? blockAmaxTensor(x, blockAxes(this.#blockSizes))
        : dynamicAmax(x, this.#axis, this.#kernels ?? getDefaultKernels());
      const bad = amax.dataSync().find((v) => !Number.isFinite(v));
      if (bad !== undefined) {
        throw new RangeError(`dynamic amax (max |x| of this batch) is ${bad}: the input holds non-finite values`);
      }
    }
    if (this.#scaleAmax !== null) amax = tf.mul(amax, this.#scaleAmax);
    return amax;
  }

  private kernelOption(): { kernels?: QuantKernels } {
    return this.#kernels === undefined ? {} : { kernels: this.#kernels };
  }

  // ---- state and printing ---------------------------------------------------------------------

  /** Loading `_amax` / `_pre_quant_scale` into a quantizer without them creates the buffers. */
  protected override loadOwnState(prefix: string, dict: Record<string, NDArray>, ctx: LoadContext): void {
    for (const field of ['_amax', '_pre_quant_scale'] as const) {
      if (this[field] !== undefined) continue;
      const key = prefix + field;
      const entry = stateEntry(dict, key, ctx);
      if (entry === undefined || entry === null) continue;
      const problem = this.checkStateValue(field, entry);
      if (problem !== null) {
        ctx.invalidValues.push(`${key}: ${problem}`);
        continue;
      }
      ctx.assignments.push(() => {
        this[field] = buffer(tf.tensor(entry.data, [...entry.shape], 'float32'), field);
      });
    }
    super.loadOwnState(prefix, dict, ctx);
  }

  /**
   * `_amax` must be >= 0 and not infinite (NaN is the reference's mark of an uncalibrated
   * quantizer, refused at its forward), `_pre_quant_scale` finite.
   */
  protected override checkStateValue(field: string, entry: NDArray): string | null {
    if (field !== '_amax' && field !== '_pre_quant_scale') return null;
    const amax = field === '_amax';
    const d = entry.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (amax ? !Number.isNaN(v) && !(v >= 0 && v < Infinity) : !Number.isFinite(v)) {
        return `${amax ? 'amax must be finite and non-negative' : 'preQuantScale must be finite'}, got ${v} (at index ${i})`;
      }
    }
    return null;
  }

  override dispose(): void {
    super.dispose();
    this.#scale?.dispose();
    this.#scale = null;
  }

  override extraRepr(): string {
    if (this.#disabled) return 'disabled';
    const bits = this.isE4M3 ? `(${(this.#numBits as readonly number[]).join(', ')})` : String(this.#numBits);
    let s = `${this.#unsigned ? 'unsigned ' : ''}${bits}bit`;
    if (this.#narrowRange) s += ' narrow';
    if (this.#fakeQuant) s += ' fake';
    if (this.#blockSizes !== null) s += ` block_sizes=${formatBlockSizes(this.#blockSizes)}`;
    else s += this.#axis !== null ? ` axis=${pyValue(this.#axis)}` : ' per-tensor';
    s += ` amax=${this.shortAmax()}`;
    if (this.#scaleAmax) s += ` *${pyFloat(this.#scaleAmax)}`;
    if (this.#learnAmax) s += ' learned';
    if (this.#calibrator !== null) s += ` calibrator=${this.#calibrator.constructor.name}`;
    const scale = this.scale;
    if (scale !== null) s += ` scale=${typeof scale === 'number' ? pyFloat(scale) : shortValues(scale)}`;
    if (this.#ifQuant) s += ' quant';
    if (this.#ifClip) s += ' clip';
    if (this.#ifCalib) s += ' calib';
    return s;
  }

  private shortAmax(): string {
    return this._amax === undefined ? 'dynamic' : shortValues(this._amax);
  }
}

/** A batch's block amax (from values: no gradient flows into it). */
function blockAmaxTensor(x: tf.Tensor, blocks: BlockSizes): tf.Tensor {
  const r = reduceBlockAmax({ data: Float32Array.from(x.dataSync()), shape: [...x.shape] }, blocks);
  return tf.tensor(r.data, [...r.shape], 'float32');
}

/** '1.2345' for one element, '[min, max](count)' for several (the reference's _short_amax). */
function shortValues(t: tf.Tensor): string {
  const values = t.dataSync();
  if (values.length === 1) return values[0]!.toFixed(4);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return `[${lo.toFixed(4)}, ${hi.toFixed(4)}](${values.length})`;
}

function setTrainable(clip: Clip, on: boolean): void {
  for (const t of [clip.clip_value_min, clip.clip_value_max]) if (t instanceof tf.Variable) t.trainable = on;
}

function toFloatTensor(value: AmaxValue, what: string): tf.Tensor {
  if (value instanceof tf.Tensor) return tf.cast(value, 'float32');
  if (typeof value === 'number') return tf.scalar(value, 'float32');
  if (isNumberArray(value)) return tf.tensor1d(Float32Array.from(value), 'float32');
  if (Array.isArray(value)) {
    // Nested lists ([[1], [2]]): tfjs infers the shape and refuses ragged ones.
    try {
      return tf.tensor(value as number[][], undefined, 'float32');
    } catch (e) {
      throw new TypeError(`${WHO}: ${what} must be a number, an array, a typed array, an NDArray or a tf.Tensor, got ${describeValue(value)}`, { cause: e });
    }
  }
  const nd = value as NDArray;
  if (nd !== null && typeof nd === 'object' && isNumberArray(nd.data) && Array.isArray(nd.shape)) {
    checkNDArray({ data: Float32Array.from(nd.data), shape: nd.shape }, `${WHO}: ${what}`);
    return tf.tensor(Float32Array.from(nd.data), [...nd.shape], 'float32');
  }
  throw new TypeError(`${WHO}: ${what} must be a number, an array, a typed array, an NDArray or a tf.Tensor, got ${describeValue(value)}`);
}

/** Throws unless every value of t is finite (and >= 0 for amax), naming the first bad one; disposes t then. */
function checkValues(t: tf.Tensor, what: string, nonNegative: boolean): void {
  const d = t.dataSync();
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v) || (nonNegative && v < 0)) {
      t.dispose();
      throw new RangeError(`${WHO}: ${what} must be finite${nonNegative ? ' and non-negative' : ''}, got ${v} (at index ${i})`);
    }
  }
}

function checkBoolean(what: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new TypeError(`${WHO}: ${what} must be a boolean, got ${describeValue(v)}`);
}
