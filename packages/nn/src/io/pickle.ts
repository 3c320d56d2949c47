// A restricted reader of Python pickles (protocols 2-5): it builds plain values (None, bools,
// ints, floats, str, bytes, lists, tuples, dicts, sets) and nothing else by itself. Every
// global a pickle names goes through `findGlobal`, which returns an allow-listed stand-in or
// throws; nothing is ever imported or executed. Every length is checked against the bytes
// left, so a hostile or truncated pickle fails with an error instead of a huge allocation.

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** A Python global the caller allows: called by REDUCE / NEWOBJ with the argument tuple. */
export interface PickleGlobal {
  readonly module: string;
  readonly name: string;
  call?(args: readonly unknown[]): unknown;
}

export interface PickleHooks {
  /** Resolves a global named by GLOBAL / STACK_GLOBAL; throws to refuse it. */
  findGlobal(module: string, name: string): PickleGlobal;
  /** Resolves a persistent id (BINPERSID); throws to refuse it. */
  persistentLoad(pid: unknown): unknown;
}

/** A Python dict (insertion-ordered); `attrs` holds the state BUILD gives a dict subclass. */
export class PyDict extends Map<unknown, unknown> {
  attrs: unknown = undefined;
}

/** Python tuples are frozen arrays; lists are plain arrays. */
export function isTuple(v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

const MAX_LINE = 256;

/** Names of the opcodes this reader refuses, for the error message. */
const REFUSED: Record<number, string> = {
  0x49: 'INT', 0x4c: 'LONG', 0x46: 'FLOAT', 0x53: 'STRING', 0x56: 'UNICODE', 0x50: 'PERSID', 0x70: 'PUT', 0x67: 'GET',
  0x69: 'INST', 0x6f: 'OBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Reads one pickle from `bytes`; errors carry the byte offset. */
export function readPickle(bytes: Uint8Array, hooks: PickleHooks): unknown {
  return new Unpickler(bytes, hooks).load();
}

class Unpickler {
  private pos = 0;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;
  private opStart = 0;

  constructor(private readonly bytes: Uint8Array, private readonly hooks: PickleHooks) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  load(): unknown {
    try {
      return this.run();
    } catch (e) {
      const msg = (e as Error).message;
      throw new PickleError(`pickle byte ${this.opStart}: ${msg}`);
    }
  }

  private fail(message: string): never {
    throw new Error(message);
  }

  private need(n: number, what: string): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.bytes.length - this.pos) {
      this.fail(`${what} needs ${n} bytes but ${this.bytes.length - this.pos} are left (truncated file?)`);
    }
  }

  private u8(): number {
    this.need(1, 'opcode argument');
    return this.bytes[this.pos++]!;
  }

  private u16(): number {
    this.need(2, 'opcode argument');
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  private i32(): number {
    this.need(4, 'opcode argument');
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private u32(): number {
    this.need(4, 'opcode argument');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private u64(): number {
    this.need(8, 'opcode argument');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    // Any length past the file is refused by `need`; keep it a number that still fails there.
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }

  private take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private text(n: number, what: string): string {
    return new TextDecoder('utf-8').decode(this.take(n, what));
  }

  private line(what: string): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > MAX_LINE) this.fail(`${what}: no newline within ${MAX_LINE} bytes`);
    const s = new TextDecoder('utf-8').decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  /** Pushes onto the current stack (read after the argument: popMark replaces it). */
  private push(v: unknown): void {
    this.stack.push(v);
  }

  private pop(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow (malformed pickle)');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length === 0) this.fail('stack underflow (malformed pickle)');
    return this.stack[this.stack.length - 1];
  }

  private popMark(): unknown[] {
    const items = this.stack;
    const outer = this.metastack.pop();
    if (outer === undefined) this.fail('no MARK on the stack (malformed pickle)');
    this.stack = outer;
    return items;
  }

  /** Two's-complement little-endian integer of `n` bytes (LONG1 / LONG4). */
  private long(n: number): number | bigint {
    const b = this.take(n, 'long integer');
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  private global(module: string, name: string): PickleGlobal {
    return this.hooks.findGlobal(module, name);
  }

  private call(callable: unknown, args: unknown, opcode: string): unknown {
    const g = callable as PickleGlobal;
    if (typeof g !== 'object' || g === null || typeof g.call !== 'function') {
      this.fail(`${opcode} on ${describe(callable)}, which cannot be called`);
    }
    if (!isTuple(args)) this.fail(`${opcode} arguments for ${g.module}.${g.name} must be a tuple, got ${describe(args)}`);
    return g.call(args);
  }

  private setItems(dict: unknown, items: unknown[]): void {
    if (!(dict instanceof Map)) this.fail(`SETITEM(S) on ${describe(dict)}, not a dict`);
    if (items.length % 2 !== 0) this.fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) dict.set(hashable(items[i]), items[i + 1]);
  }

  private appendItems(list: unknown, items: unknown[]): void {
    if (!Array.isArray(list) || Object.isFrozen(list)) this.fail(`APPEND(S) on ${describe(list)}, not a list`);
    for (const item of items) list.push(item);
  }

  private run(): unknown {
    const n = this.bytes.length;
    while (this.pos < n) {
      this.opStart = this.pos;
      const op = this.bytes[this.pos++]!;
      switch (op) {
        case 0x80: { // PROTO
          const proto = this.u8();
          if (proto < 2 || proto > 5) this.fail(`pickle protocol ${proto} is not supported (2 to 5 are)`);
          break;
        }
        case 0x95: this.need(this.u64(), 'FRAME'); break; // FRAME: only a length hint
        case 0x28: this.metastack.push(this.stack); this.stack = []; break; // MARK
        case 0x2e: return this.pop(); // STOP
        case 0x30: this.pop(); break; // POP
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.stack.push(this.top()); break; // DUP
        case 0x4e: this.stack.push(null); break; // NONE
        case 0x88: this.stack.push(true); break; // NEWTRUE
        case 0x89: this.stack.push(false); break; // NEWFALSE
        case 0x4a: this.stack.push(this.i32()); break; // BININT
        case 0x4b: this.stack.push(this.u8()); break; // BININT1
        case 0x4d: this.stack.push(this.u16()); break; // BININT2
        case 0x8a: this.stack.push(this.long(this.u8())); break; // LONG1
        case 0x8b: { // LONG4
          const len = this.i32();
          if (len < 0) this.fail(`LONG4 with a negative length ${len}`);
          this.stack.push(this.long(len));
          break;
        }
        case 0x47: { // BINFLOAT: big-endian double
          this.need(8, 'BINFLOAT');
          this.stack.push(this.view.getFloat64(this.pos, false));
          this.pos += 8;
          break;
        }
        case 0x58: this.stack.push(this.text(this.u32(), 'BINUNICODE')); break;
        case 0x8c: this.stack.push(this.text(this.u8(), 'SHORT_BINUNICODE')); break;
        case 0x8d: this.stack.push(this.text(this.u64(), 'BINUNICODE8')); break;
        case 0x54: { // BINSTRING (Python 2 str)
          const len = this.i32();
          if (len < 0) this.fail(`BINSTRING with a negative length ${len}`);
          this.stack.push(latin1(this.take(len, 'BINSTRING')));
          break;
        }
        case 0x55: this.stack.push(latin1(this.take(this.u8(), 'SHORT_BINSTRING'))); break;
        case 0x42: this.stack.push(this.take(this.u32(), 'BINBYTES').slice()); break;
        case 0x43: this.stack.push(this.take(this.u8(), 'SHORT_BINBYTES').slice()); break;
        case 0x8e: this.stack.push(this.take(this.u64(), 'BINBYTES8').slice()); break;
        case 0x96: this.stack.push(this.take(this.u64(), 'BYTEARRAY8').slice()); break;
        case 0x29: this.stack.push(Object.freeze([])); break; // EMPTY_TUPLE
        case 0x74: this.push(Object.freeze(this.popMark())); break; // TUPLE
        case 0x85: this.stack.push(Object.freeze([this.pop()])); break; // TUPLE1
        case 0x86: { // TUPLE2
          const b = this.pop();
          this.stack.push(Object.freeze([this.pop(), b]));
          break;
        }
        case 0x87: { // TUPLE3
          const c = this.pop();
          const b = this.pop();
          this.stack.push(Object.freeze([this.pop(), b, c]));
          break;
        }
        case 0x5d: this.stack.push([]); break; // EMPTY_LIST
        case 0x6c: this.push(this.popMark()); break; // LIST
        case 0x61: { // APPEND
          const item = this.pop();
          this.appendItems(this.top(), [item]);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          this.appendItems(this.top(), items);
          break;
        }
        case 0x7d: this.stack.push(new PyDict()); break; // EMPTY_DICT
        case 0x64: { // DICT
          const d = new PyDict();
          this.setItems(d, this.popMark());
          this.stack.push(d);
          break;
        }
        case 0x73: { // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value]);
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x8f: this.stack.push(new Set()); break; // EMPTY_SET
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const set = this.top();
          if (!(set instanceof Set)) this.fail(`ADDITEMS on ${describe(set)}, not a set`);
          for (const item of items) set.add(hashable(item));
          break;
        }
        case 0x91: this.push(Object.freeze(new Set(this.popMark().map(hashable)))); break; // FROZENSET
        case 0x63: { // GLOBAL
          const module = this.line('GLOBAL module');
          this.stack.push(this.global(module, this.line('GLOBAL name')));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL needs two strings');
          this.stack.push(this.global(module, name));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop();
          const callable = this.pop();
          this.stack.push(this.call(callable, args, 'REDUCE'));
          break;
        }
        case 0x81: { // NEWOBJ: cls.__new__(cls, *args)
          const args = this.pop();
          const cls = this.pop();
          this.stack.push(this.call(cls, args, 'NEWOBJ'));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          if (!(kwargs instanceof Map) || kwargs.size > 0) this.fail('NEWOBJ_EX with keyword arguments is not supported');
          this.stack.push(this.call(cls, args, 'NEWOBJ_EX'));
          break;
        }
        case 0x62: { // BUILD: only a dict subclass's attributes (OrderedDict._metadata)
          const state = this.pop();
          const obj = this.top();
          if (!(obj instanceof PyDict)) this.fail(`BUILD on ${describe(obj)} is not supported`);
          obj.attrs = state;
          break;
        }
        case 0x51: this.stack.push(this.hooks.persistentLoad(this.pop())); break; // BINPERSID
        case 0x71: this.memo.set(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memo.set(this.u32(), this.top()); break; // LONG_BINPUT
        case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
        case 0x68: this.stack.push(this.memoGet(this.u8())); break; // BINGET
        case 0x6a: this.stack.push(this.memoGet(this.u32())); break; // LONG_BINGET
        case 0x69: { // INST: a global by name, then a call; name it in the refusal
          const module = this.line('INST module');
          const name = this.line('INST name');
          this.global(module, name);
          this.fail(`opcode INST (protocol 0) is not supported`);
          break;
        }
        default: {
          const name = REFUSED[op];
          this.fail(name !== undefined
            ? `opcode ${name} is not supported (torch.save writes protocol 2)`
            : `unknown opcode 0x${op.toString(16).padStart(2, '0')} (not a pickle, or a corrupt one)`);
        }
      }
    }
    this.opStart = this.pos;
    return this.fail('the pickle ends before its STOP opcode (truncated file?)');
  }

  private memoGet(i: number): unknown {
    if (!this.memo.has(i)) this.fail(`memo entry ${i} read before it was written`);
    return this.memo.get(i);
  }
}

/** Python 2 `str` bytes as text (one character per byte). */
function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/** Dict keys and set items: only immutable values, as Python requires. */
function hashable(v: unknown): unknown {
  if (v instanceof Map || v instanceof Set || (Array.isArray(v) && !Object.isFrozen(v))) {
    throw new Error(`unhashable ${describe(v)} used as a dict key or set item`);
  }
  return v;
}

/** A short description of a pickled value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyDict) return 'a dict';
  if (v instanceof Set) return 'a set';
  if (isTuple(v)) return `a tuple of ${v.length}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Uint8Array) return `bytes (${v.length})`;
  if (typeof v === 'object' && 'module' in v && 'name' in v) return `${String(v.module)}.${String(v.name)}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return `${typeof v} ${String(v)}`;
}
