// QuantDescriptor: how a tensor is quantized (the reference's ScaledQuantDescriptor), immutable.
import { checkNumBits } from './bounds.js';
import { checkBlockSizesOption, formatBlockSizes, type BlockSizesOption } from './block-layout.js';
import { checkOptions, describeValue, isNumberArray } from './options.js';
import { checkAmax } from './quant-scale.js';
import { checkAxisOption } from './shape.js';

export type E4M3Bits = readonly [4, 3];
export type CalibMethod = 'max' | 'histogram';

export interface QuantDescriptorOptions {
  /** Integer bits (default 8), or `[4, 3]` for FP8 E4M3. */
  numBits?: number | readonly number[];
  name?: string | null;
  /** Fake (simulated) quantization; false = real integer outputs. Default true. */
  fakeQuant?: boolean;
  /** The axes that keep their own amax (e.g. 0 for per-output-channel weights); null = per tensor. */
  axis?: number | readonly number[] | null;
  /** Block-wise quantization (ModelOpt's block_sizes): `{ [-1]: 128 }`, optionally `type: 'dynamic'`. Not with axis. */
  blockSizes?: BlockSizesOption | null;
  /** A static amax: a number, a list or a typed array, finite and >= 0, stored as float32. */
  amax?: number | readonly number[] | ArrayLike<number> | null;
  learnAmax?: boolean;
  scaleAmax?: number | null;
  calibMethod?: CalibMethod;
  unsigned?: boolean;
  narrowRange?: boolean;
}

/** The serialised form: `numBits` and `name` always, every other field only when not default. */
export interface QuantDescriptorJSON {
  numBits: number | number[];
  name: string | null;
  fakeQuant?: boolean;
  axis?: number | number[];
  blockSizes?: Record<string, number | string | null>;
  amax?: number | number[];
  learnAmax?: boolean;
  scaleAmax?: number;
  calibMethod?: CalibMethod;
  unsigned?: boolean;
  narrowRange?: boolean;
}

const OPTIONS = {
  numBits: 'any', name: 'any', fakeQuant: 'boolean', axis: 'any', blockSizes: 'any', amax: 'any', learnAmax: 'boolean',
  scaleAmax: 'any', calibMethod: 'any', unsigned: 'boolean', narrowRange: 'boolean',
} as const;
const SNAKE: Record<string, string> = {
  num_bits: 'numBits', fake_quant: 'fakeQuant', learn_amax: 'learnAmax', scale_amax: 'scaleAmax',
  calib_method: 'calibMethod', narrow_range: 'narrowRange', block_sizes: 'blockSizes',
};
const WHO = 'QuantDescriptor';

function parseNumBits(v: unknown, unsigned: boolean): number | E4M3Bits {
  if (isNumberArray(v)) {
    const a = Array.from(v);
    if (a.length === 2 && a[0] === 4 && a[1] === 3) return Object.freeze([4, 3] as const);
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    checkNumBits(v, unsigned, WHO);
    return v;
  }
  throw new TypeError(`${WHO}: numBits must be an integer or [4, 3] (E4M3), got ${describeValue(v)}`);
}

function parseAmax(v: unknown): number | readonly number[] | null {
  if (v === null || v === undefined) return null;
  let amax: number | readonly number[];
  if (typeof v === 'number') amax = Math.fround(v);
  else if (isNumberArray(v)) amax = Object.freeze(Array.from(v, (a) => Math.fround(a)));
  else throw new TypeError(`${WHO}: amax must be a number, a list of numbers or a typed array, got ${describeValue(v)}`);
  // Checked as stored (float32): 1e39 becomes Infinity.
  checkAmax(typeof amax === 'number' ? [amax] : amax, `${WHO}: amax`);
  return amax;
}

function parseScaleAmax(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !(v > 0 && v < Infinity)) {
    throw new TypeError(`${WHO}: scaleAmax must be a finite number > 0 or null, got ${describeValue(v)}`);
  }
  return v;
}

function formatAmax(a: number | readonly number[]): string {
  const e = (x: number) => x.toExponential(2).replace(/e([+-])(\d)$/, 'e$10$2');
  if (typeof a === 'number') return e(a);
  // Like numpy's array2string(edgeitems=1) on long arrays: first ... last.
  const items = a.length > 3 ? [e(a[0]!), '...', e(a[a.length - 1]!)] : a.map(e);
  return `[${items.join(' ')}]`;
}

function sameValue(a: number | readonly number[] | null, b: number | readonly number[] | null): boolean {
  if (a === null || b === null || typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function sameBlocks(a: BlockSizesOption | null, b: BlockSizesOption | null): boolean {
  if (a === null || b === null) return a === b;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

export class QuantDescriptor {
  readonly numBits: number | E4M3Bits;
  readonly name: string | null;
  readonly fakeQuant: boolean;
  readonly axis: number | readonly number[] | null;
  readonly blockSizes: BlockSizesOption | null;
  readonly amax: number | readonly number[] | null;
  readonly learnAmax: boolean;
  readonly scaleAmax: number | null;
  readonly calibMethod: CalibMethod;
  readonly unsigned: boolean;
  readonly narrowRange: boolean;

  /**
   * Validates everything when constructed, as the reference does and more: unknown options;
   * numBits neither [4, 3] nor an integer in 2..16 (1..16 unsigned); a name that is not a
   * string; learnAmax with an axis; an amax that is not a number or a list / typed array of
   * finite non-negative numbers; a scaleAmax that is not a finite number > 0; an axis that is
   * not an integer or a list of distinct integers (its range is checked against the input's rank
   * at the first forward); flags that are not booleans; calibMethod other than max/histogram;
   * blockSizes that are not axes with positive sizes (or null), or given together with an axis
   * or learnAmax.
   */
  constructor(o: QuantDescriptorOptions = {}) {
    checkOptions(WHO, o, OPTIONS);
    this.unsigned = o.unsigned ?? false;
    this.numBits = parseNumBits(o.numBits ?? 8, this.unsigned);
    const name = o.name ?? null;
    if (name !== null && typeof name !== 'string') throw new TypeError(`${WHO}: name must be a string or null, got ${describeValue(name)}`);
    this.name = name;
    this.fakeQuant = o.fakeQuant ?? true;
    this.axis = checkAxisOption(o.axis, WHO);
    this.learnAmax = o.learnAmax ?? false;
    if (this.learnAmax && this.axis !== null) {
      throw new TypeError(`${WHO}: axis must be null when learnAmax is true, got ${describeValue(this.axis)}`);
    }
    this.blockSizes = checkBlockSizesOption(o.blockSizes, WHO);
    if (this.blockSizes !== null && this.axis !== null) {
      throw new TypeError(`${WHO}: axis must be null when blockSizes is set (got axis ${describeValue(this.axis)}); blocks give the amax its shape`);
    }
    if (this.blockSizes !== null && this.learnAmax) throw new TypeError(`${WHO}: learnAmax needs a per-tensor amax, not blockSizes`);
    this.amax = parseAmax(o.amax);
    this.scaleAmax = parseScaleAmax(o.scaleAmax);
    const calibMethod = o.calibMethod ?? 'max';
    if (calibMethod !== 'max' && calibMethod !== 'histogram') {
      throw new TypeError(`${WHO}: calibMethod must be "max" or "histogram", got ${describeValue(calibMethod)}`);
    }
    this.calibMethod = calibMethod;
    this.narrowRange = o.narrowRange ?? false;
    Object.freeze(this);
  }

  /** True for FP8 E4M3 (`numBits` `[4, 3]`). */
  get isE4M3(): boolean {
    return typeof this.numBits !== 'number';
  }

  /** A copy with some options changed. */
  with(changes: QuantDescriptorOptions): QuantDescriptor {
    return new QuantDescriptor({ ...this.options(), ...changes });
  }

  /** Every field as constructor options. */
  options(): QuantDescriptorOptions {
    return {
      numBits: this.numBits, name: this.name, fakeQuant: this.fakeQuant, axis: this.axis, blockSizes: this.blockSizes, amax: this.amax,
      learnAmax: this.learnAmax, scaleAmax: this.scaleAmax, calibMethod: this.calibMethod,
      unsigned: this.unsigned, narrowRange: this.narrowRange,
    };
  }

  /** The non-default fields (`numBits` and `name` always), like the reference's `dict()`. */
  toJSON(): QuantDescriptorJSON {
    const j: QuantDescriptorJSON = {
      numBits: typeof this.numBits === 'number' ? this.numBits : [...this.numBits],
      name: this.name,
    };
    if (!this.fakeQuant) j.fakeQuant = false;
    if (this.axis !== null) j.axis = typeof this.axis === 'number' ? this.axis : [...this.axis];
    if (this.blockSizes !== null) j.blockSizes = { ...this.blockSizes };
    if (this.amax !== null) j.amax = typeof this.amax === 'number' ? this.amax : [...this.amax];
    if (this.learnAmax) j.learnAmax = true;
    if (this.scaleAmax !== null) j.scaleAmax = this.scaleAmax;
    if (this.calibMethod !== 'max') j.calibMethod = this.calibMethod;
    if (this.unsigned) j.unsigned = true;
    if (this.narrowRange) j.narrowRange = true;
    return j;
  }

  /** Builds a descriptor from `toJSON()` output; snake_case keys of the reference's dict work too. */
  static fromJSON(j: unknown): QuantDescriptor {
    if (j === null || typeof j !== 'object' || Array.isArray(j)) {
      throw new TypeError(`QuantDescriptor.fromJSON needs an object, got ${describeValue(j)}`);
    }
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(j as Record<string, unknown>)) o[SNAKE[k] ?? k] = v;
    return new QuantDescriptor(o as QuantDescriptorOptions);
  }

  equals(other: QuantDescriptor): boolean {
    if (!(other instanceof QuantDescriptor)) return false;
    const bits = (d: QuantDescriptor) => (typeof d.numBits === 'number' ? d.numBits : [...d.numBits]);
    return (
      sameValue(bits(this), bits(other)) && this.name === other.name && this.fakeQuant === other.fakeQuant &&
      sameValue(this.axis, other.axis) && sameBlocks(this.blockSizes, other.blockSizes) && sameValue(this.amax, other.amax) && this.learnAmax === other.learnAmax &&
      Object.is(this.scaleAmax, other.scaleAmax) && this.calibMethod === other.calibMethod &&
      this.unsigned === other.unsigned && this.narrowRange === other.narrowRange
    );
  }

  /** e.g. `QuantDescriptor(8bit fake per-tensor)`, `w: (unsigned 4bit real axis=0 amax=[1.00e+00 2.00e+00])`. */
  toString(): string {
    let s = this.name !== null ? `${this.name}: ` : 'QuantDescriptor';
    const bits = typeof this.numBits === 'number' ? `${this.numBits}` : `(${this.numBits.join(', ')})`;
    s += `(${this.unsigned ? 'unsigned ' : ''}${bits}bit`;
    s += this.fakeQuant ? ' fake' : ' real';
    if (this.blockSizes !== null) s += ` block_sizes=${formatBlockSizes(this.blockSizes)}`;
    else if (this.axis === null) s += ' per-tensor';
    else s += ` axis=${typeof this.axis === 'number' ? this.axis : `(${this.axis.join(', ')})`}`;
    if (this.amax !== null) s += ` amax=${formatAmax(this.amax)}`;
    if (this.learnAmax) s += ' learn_amax';
    if (this.scaleAmax) s += ` scale_amax=${this.scaleAmax}`;
    return `${s})`;
  }
}

export const QUANT_DESC_8BIT_PER_TENSOR = new QuantDescriptor({ numBits: 8 });
export const QUANT_DESC_UNSIGNED_8BIT_PER_TENSOR = new QuantDescriptor({ numBits: 8, unsigned: true });
export const QUANT_DESC_8BIT_CONV1D_WEIGHT_PER_CHANNEL = new QuantDescriptor({ numBits: 8, axis: 0 });
export const QUANT_DESC_8BIT_CONV2D_WEIGHT_PER_CHANNEL = new QuantDescriptor({ numBits: 8, axis: 0 });
export const QUANT_DESC_8BIT_CONV3D_WEIGHT_PER_CHANNEL = new QuantDescriptor({ numBits: 8, axis: 0 });
export const QUANT_DESC_8BIT_LINEAR_WEIGHT_PER_ROW = new QuantDescriptor({ numBits: 8, axis: 0 });
export const QUANT_DESC_8BIT_CONVTRANSPOSE1D_WEIGHT_PER_CHANNEL = new QuantDescriptor({ numBits: 8, axis: 1 });
export const QUANT_DESC_8BIT_CONVTRANSPOSE2D_WEIGHT_PER_CHANNEL = new QuantDescriptor({ numBits: 8, axis: 1 });
export const QUANT_DESC_8BIT_CONVTRANSPOSE3D_WEIGHT_PER_CHANNEL = new QuantDescriptor({ numBits: 8, axis: 1 });
