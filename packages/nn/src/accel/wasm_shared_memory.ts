// A WebAssembly module's memory import made shared, so that pq's kernels (kernels.wat, which
// imports a plain memory) can be instantiated on tfjs-wasm's threaded build, whose memory is a
// shared one: WebAssembly links a shared memory only to a shared import. The import's limits
// become "shared, from its minimum to 65536 pages" (4 GiB, the threaded build's own maximum,
// which an import's maximum must not be below). Only the import section is rewritten.

const IMPORT_SECTION = 2;
const MEMORY_KIND = 2;
const MAX_PAGES = 65536;

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i];
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

/** `bytes` with its (first) memory import declared shared; `bytes` itself is not modified. */
export function withSharedMemoryImport(bytes: Uint8Array): Uint8Array {
  let at = 8; // magic, version
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, start] = readLeb(bytes, at + 1);
    if (id === IMPORT_SECTION) return rewriteImports(bytes, at, start, start + size);
    at = start + size;
  }
  throw new Error('withSharedMemoryImport: the module has no import section');
}

function rewriteImports(bytes: Uint8Array, sectionAt: number, start: number, end: number): Uint8Array {
  let [count, i] = readLeb(bytes, start);
  for (; count > 0; count--) {
    for (let name = 0; name < 2; name++) {
      const [len, next] = readLeb(bytes, i);
      i = next + len;
    }
    const kind = bytes[i++]!;
    if (kind !== MEMORY_KIND) {
      // function (type index), table (reftype + limits), global (valtype + mutability)
      if (kind === 0) i = readLeb(bytes, i)[1];
      else if (kind === 1) i = skipLimits(bytes, i + 1);
      else i += 2;
      continue;
    }
    const flags = bytes[i]!;
    if (flags & 2) return bytes; // shared already
    const [min, afterMin] = readLeb(bytes, i + 1);
    const limitsEnd = flags & 1 ? readLeb(bytes, afterMin)[1] : afterMin;
    const body = [...bytes.subarray(start, i), 0x03, ...leb(min), ...leb(MAX_PAGES), ...bytes.subarray(limitsEnd, end)];
    return new Uint8Array([...bytes.subarray(0, sectionAt), IMPORT_SECTION, ...leb(body.length), ...body, ...bytes.subarray(end)]);
  }
  throw new Error('withSharedMemoryImport: the module imports no memory');
}

function skipLimits(bytes: Uint8Array, at: number): number {
  const flags = bytes[at]!;
  const next = readLeb(bytes, at + 1)[1];
  return flags & 1 ? readLeb(bytes, next)[1] : next;
}
