// Option objects are checked the same way in every pq package: an unknown key (a typo, a
// snake_case name from the Python API) or a value of the wrong type is refused with a message
// that names the owner, the option and what is accepted, instead of being silently ignored.

/** The type an option's value must have; `'any'` leaves the value to the owner's own checks. */
export type OptionKind = 'boolean' | 'number' | 'integer' | 'string' | 'function' | 'object' | 'any';

/** Accepted option names, with the kind of value each takes (or a bare list: any value). */
export type OptionSpec = Readonly<Record<string, OptionKind>> | readonly string[];

const ARTICLE: Record<Exclude<OptionKind, 'any'>, string> = {
  boolean: 'a boolean', number: 'a number', integer: 'an integer', string: 'a string',
  function: 'a function', object: 'an object',
};

function matches(kind: OptionKind, v: unknown): boolean {
  switch (kind) {
    case 'any': return true;
    case 'integer': return Number.isInteger(v);
    case 'object': return typeof v === 'object' && v !== null;
    default: return typeof v === kind;
  }
}

/** The accepted name a mistyped key most likely meant (`num_bits`, `numbits` -> `numBits`). */
function closest(key: string, names: readonly string[]): string | undefined {
  const norm = (s: string) => s.replace(/[_-]/g, '').toLowerCase();
  return names.find((n) => norm(n) === norm(key));
}

/**
 * Throws unless `options` is undefined, null or an object whose keys are all in `accepted` and whose
 * values (where `accepted` gives a kind) have that type; an `undefined` value counts as absent.
 *
 * @example checkOptions('fakeTensorQuant', { numbits: 4 }, { numBits: 'integer' })
 * // TypeError: fakeTensorQuant: unknown option 'numbits'; did you mean 'numBits'? (accepted: numBits)
 */
export function checkOptions(owner: string, options: unknown, accepted: OptionSpec): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new TypeError(`${owner}: options must be an object, got ${describeValue(options)}`);
  }
  const names: readonly string[] = Array.isArray(accepted) ? accepted : Object.keys(accepted);
  const kinds = Array.isArray(accepted) ? undefined : (accepted as Readonly<Record<string, OptionKind>>);
  const unknown = Object.keys(options).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    const guesses = unknown.map((k) => closest(k, names)).filter((g) => g !== undefined);
    const hint = guesses.length > 0 ? `; did you mean ${guesses.map((g) => `'${g}'`).join(', ')}?` : '';
    throw new TypeError(
      `${owner}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}${hint} ` +
        `(accepted: ${names.join(', ') || 'none'})`,
    );
  }
  if (kinds === undefined) return;
  for (const [key, value] of Object.entries(options)) {
    const kind = kinds[key]!;
    if (kind !== 'any' && value !== undefined && !matches(kind, value)) {
      throw new TypeError(`${owner}: option '${key}' must be ${ARTICLE[kind]}, got ${describeValue(value)}`);
    }
  }
}

const SHOWN = 4;

function listItems(items: ArrayLike<unknown>): string {
  const shown = Array.from({ length: Math.min(items.length, SHOWN) }, (_, i) => String(items[i]));
  return `[${shown.join(', ')}${items.length > SHOWN ? ', ...' : ''}]`;
}

/**
 * A value as error messages show it, with its type where the form does not show it: `NaN`, `true`,
 * `string 'yes'`, `array [1, 2]`, `Float64Array(2) [3.14, 2.71]`, `null`, `Tensor`.
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return `string '${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  // Strings are quoted, so a bare number or boolean is unambiguous.
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v !== 'object') return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return `array ${listItems(v)}`;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = v as unknown as ArrayLike<unknown>;
    return `${v.constructor.name}(${a.length}) ${listItems(a)}`;
  }
  const ctor = (v as { constructor?: { name?: string } }).constructor?.name;
  if (ctor !== undefined && ctor !== 'Object') return ctor;
  const keys = Object.keys(v);
  return `object { ${keys.slice(0, SHOWN).join(', ')}${keys.length > SHOWN ? ', ...' : ''} }`;
}

/**
 * True for what pq accepts as a list of numbers: an array of numbers or a typed array of
 * numbers (JavaScript's numpy arrays; the BigInt arrays hold bigints, not numbers).
 */
export function isNumberArray(v: unknown): v is ArrayLike<number> {
  if (Array.isArray(v)) return v.every((a) => typeof a === 'number');
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}
