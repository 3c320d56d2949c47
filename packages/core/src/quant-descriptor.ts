// QuantDescriptor: how a tensor is quantized (the reference's ScaledQuantDescriptor), immutable.

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
  /** A static amax: a number or a list, stored as float32. */
  amax?: number | readonly number[] | Float32Array | null;
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
  amax?: number | number[];
  learnAmax?: boolean;
  scaleAmax?: number;
  calibMethod?: CalibMethod;
  unsigned?: boolean;
  narrowRange?: boolean;
}

const KNOWN = new Set([
  'numBits', 'name', 'fakeQuant', 'axis', 'amax', 'learnAmax', 'scaleAmax', 'calibMethod', 'unsigned', 'narrowRange',
]);
const SNAKE: Record<string, string> = {
  num_bits: 'numBits', fake_quant: 'fakeQuant', learn_amax: 'learnAmax', scale_amax: 'scaleAmax',
  calib_method: 'calibMethod', narrow_range: 'narrowRange',
};

function describe(v: unknown): string {
  if (Array.isArray(v)) return `array [${v.map(String).join(', ')}]`;
  return `${typeof v} ${String(v)}`;
}

function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(v)}`);
  return v;
}

function parseNumBits(v: unknown): number | E4M3Bits {
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const a = Array.from(v as ArrayLike<unknown>);
    if (a.length === 2 && a[0] === 4 && a[1] === 3) return Object.freeze([4, 3] as const);
    throw new TypeError(`numBits must be an integer or [4, 3] (E4M3), got ${describe(a)}`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`numBits must be an integer or [4, 3] (E4M3), got ${describe(v)}`);
  }
  if (v < 0) throw new RangeError(`numBits must be >= 0, got ${v}`);
  return v;
}

function parseAxis(v: unknown): number | readonly number[] | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (Array.isArray(v) && v.every((a) => typeof a === 'number' && Number.isInteger(a))) {
    return Object.freeze([...(v as number[])]);
  }
  throw new TypeError(`axis must be an integer, a list of integers or null, got ${describe(v)}`);
}

function parseAmax(v: unknown): number | readonly number[] | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Math.fround(v);
  if ((Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array) &&
      Array.from(v as ArrayLike<unknown>).every((a) => typeof a === 'number')) {
    return Object.freeze(Array.from(v as ArrayLike<number>, (a) => Math.fround(a)));
  }
  throw new TypeError(`amax must be a number, a list of numbers or a Float32Array, not ${describe(v)}`);
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

export class QuantDescriptor {
  readonly numBits: number | E4M3Bits;
  readonly name: string | null;
  readonly fakeQuant: boolean;
  readonly axis: number | readonly number[] | null;
  readonly amax: number | readonly number[] | null;
  readonly learnAmax: boolean;
  readonly scaleAmax: number | null;
  readonly calibMethod: CalibMethod;
  readonly unsigned: boolean;
  readonly narrowRange: boolean;

  /**
   * Validates like the reference: negative numBits, numBits neither an integer nor [4, 3], a
   * name that is not a string, learnAmax with an axis, an amax of another type and any unknown
   * option ("Unused keys: ...") are errors. pq also checks booleans and calibMethod.
   */
  constructor(o: QuantDescriptorOptions = {}) {
    if (o === null || typeof o !== 'object') throw new TypeError(`QuantDescriptor options must be an object, got ${describe(o)}`);
    const unused = Object.keys(o).filter((k) => !KNOWN.has(k));
    if (unused.length > 0) throw new TypeError(`Unused keys: ${unused.join(', ')}`);
    this.numBits = parseNumBits(o.numBits ?? 8);
    const name = o.name ?? null;
    if (name !== null && typeof name !== 'string') throw new TypeError(`name must be a string or null, got ${describe(name)}`);
    this.name = name;
    this.fakeQuant = checkBool('fakeQuant', o.fakeQuant ?? true);
    this.axis = parseAxis(o.axis);
    this.learnAmax = checkBool('learnAmax', o.learnAmax ?? false);
    if (this.learnAmax && this.axis !== null) {
      throw new TypeError(`axis must be null when learnAmax is true, got ${describe(this.axis)}`);
    }
    this.amax = parseAmax(o.amax);
    const scaleAmax = o.scaleAmax ?? null;
    if (scaleAmax !== null && typeof scaleAmax !== 'number') {
      throw new TypeError(`scaleAmax must be a number or null, got ${describe(scaleAmax)}`);
    }
    this.scaleAmax = scaleAmax;
    const calibMethod = o.calibMethod ?? 'max';
    if (calibMethod !== 'max' && calibMethod !== 'histogram') {
      throw new TypeError(`calibMethod must be "max" or "histogram", got ${describe(calibMethod)}`);
    }
    this.calibMethod = calibMethod;
    this.unsigned = checkBool('unsigned', o.unsigned ?? false);
    this.narrowRange = checkBool('narrowRange', o.narrowRange ?? false);
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
      numBits: this.numBits, name: this.name, fakeQuant: this.fakeQuant, axis: this.axis, amax: this.amax,
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
      throw new TypeError(`QuantDescriptor.fromJSON needs an object, got ${describe(j)}`);
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
      sameValue(this.axis, other.axis) && sameValue(this.amax, other.amax) && this.learnAmax === other.learnAmax &&
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
    if (this.axis === null) s += ' per-tensor';
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
