// PyTorch's own checkpoint format (`torch.save` since PyTorch 1.6, what torchvision publishes):
// a zip archive `<name>/data.pkl` (the pickled object; each tensor storage is a persistent id
// ('storage', torch.FloatStorage, key, location, numel)) beside `<name>/data/<key>` (the raw
// storage bytes) and `<name>/byteorder` ('little' or 'big'; little when absent). A checkpoint
// is untrusted input: the pickle is read by pq's restricted reader, which allows only what a
// state dict is made of (OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter and
// the storage types) and refuses any other global by name, before anything is allocated.
import { unzipSync } from 'fflate';
import { checkOptions, formatShape, shapeSize, shapeStrides } from '@pq/core';
import { nameMap, type StateDict } from './state.js';
import { DTYPE_BYTES, readContiguousAsFloat32, readElement, type StoredDtype } from './dtypes.js';
import { PyDict, describe, isTuple, readPickle, type PickleGlobal } from './pickle.js';

export class PthError extends Error {
  constructor(message: string) {
    super(`torch checkpoint: ${message}`);
    this.name = 'PthError';
  }
}

const STORAGE_DTYPES: Readonly<Record<string, StoredDtype>> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16', LongStorage: 'int64',
  IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8', BoolStorage: 'bool',
};

/** Views may repeat storage elements (stride 0, as `expand()` makes) up to this many elements. */
const MAX_REPEATED_VIEW = 1 << 24;
/** All tensors together may read their storages this many times over (tied weights share one). */
const MAX_VIEWS_PER_STORAGE = 4;

class Storage {
  constructor(readonly key: string, readonly dtype: StoredDtype, readonly numel: number, readonly bytes: Uint8Array) {}
}

/** A tensor as torch pickles it: a strided view of a storage, materialised only once accepted. */
export class TorchTensor {
  constructor(readonly storage: Storage, readonly offset: number, readonly shape: number[], readonly stride: number[]) {}

  get dtype(): StoredDtype {
    return this.storage.dtype;
  }
}

export interface DecodePthOptions {
  /**
   * The entry of a checkpoint dict that holds the state dict, for files saved as
   * `torch.save({'model': model.state_dict(), 'epoch': 3}, path)` (here `'model'`).
   */
  key?: string;
}

/** The global names this reader accepts, for the refusal message. */
const ALLOWED = ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state', ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`)];

/**
 * Decodes a `torch.save` checkpoint (zip format) holding a state dict into float32 arrays (int64
 * buffers such as `num_batches_tracked`, float16, bfloat16 and the other storage types convert;
 * non-contiguous tensors and storage offsets are honoured). Throws PthError on a malformed file
 * and refuses any pickled global other than a state dict's (e.g. `os.system`).
 */
export function decodePth(bytes: Uint8Array, o: DecodePthOptions = {}): StateDict {
  if (!(bytes instanceof Uint8Array)) throw new PthError('expected a Uint8Array');
  checkOptions('decodePth', o, { key: 'string' });
  const archive = readArchive(bytes);
  let root: unknown;
  try {
    root = readPickle(archive.pickle, { findGlobal, persistentLoad: (pid) => archive.storage(pid) });
  } catch (e) {
    throw new PthError(`${archive.name}: ${(e as Error).message}`);
  }
  return materialize(selectStateDict(root, o.key), archive.littleEndian);
}

interface Archive {
  /** The pickle's entry name. */
  name: string;
  pickle: Uint8Array;
  littleEndian: boolean;
  storage(pid: unknown): Storage;
}

/** Fixed part of a zip central-directory entry: bounds how many entries a file can hold. */
const CENTRAL_ENTRY_BYTES = 46;
/** Deflate cannot expand data more than ~1032x. */
const MAX_DEFLATE_RATIO = 1032;

function unzip(bytes: Uint8Array, select: (name: string) => boolean): Record<string, Uint8Array> {
  let entries = 0;
  const declared = new Map<string, number>();
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        entries += 1;
        if (entries * CENTRAL_ENTRY_BYTES > bytes.length) throw new PthError('the zip directory claims more entries than the file can hold');
        if (!select(f.name)) return false;
        if (f.compression === 0 && f.size !== f.originalSize) throw new PthError(`zip entry '${f.name}' is stored but its sizes differ`);
        if (f.compression !== 0 && f.compression !== 8) throw new PthError(`zip entry '${f.name}' uses compression method ${f.compression} (stored and deflate are supported)`);
        if (f.size > bytes.length || f.originalSize > Math.max(f.size, 1) * MAX_DEFLATE_RATIO) {
          throw new PthError(`zip entry '${f.name}' claims ${f.originalSize} bytes from ${f.size} in a ${bytes.length}-byte file`);
        }
        declared.set(f.name, f.originalSize);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof PthError) throw e;
    throw new PthError(`not a readable zip archive (${(e as Error).message}; truncated file?)`);
  }
  for (const [name, size] of declared) {
    if (files[name]?.length !== size) throw new PthError(`zip entry '${name}' has ${files[name]?.length ?? 0} of its ${size} bytes (truncated file?)`);
  }
  return files;
}

function readArchive(bytes: Uint8Array): Archive {
  // Pass 1 lists the entries (nothing extracted) to find the archive's folder.
  const names: string[] = [];
  unzip(bytes, (name) => {
    names.push(name);
    return false;
  });
  const pickles = names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ', ...' : '');
    throw new PthError(pickles.length === 0
      ? `the zip archive has no <name>/data.pkl, so it is not a torch.save file (entries: ${shown || 'none'})`
      : `the zip archive has ${pickles.length} data.pkl entries (${pickles.join(', ')})`);
  }
  const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
  const files = unzip(bytes, (name) => name.startsWith(prefix) && (name === `${prefix}data.pkl` || name === `${prefix}byteorder` || name.startsWith(`${prefix}data/`)));
  const order = files[`${prefix}byteorder`];
  const byteorder = order === undefined ? 'little' : new TextDecoder().decode(order).trim();
  if (byteorder !== 'little' && byteorder !== 'big') throw new PthError(`byteorder is '${byteorder.slice(0, 20)}' (expected 'little' or 'big')`);
  const storages = new Map<string, Storage>();
  return {
    name: `${prefix}data.pkl`,
    pickle: files[`${prefix}data.pkl`]!,
    littleEndian: byteorder === 'little',
    storage(pid: unknown): Storage {
      if (!isTuple(pid) || pid[0] !== 'storage') {
        throw new Error(`persistent id ${isTuple(pid) ? `('${String(pid[0])}', ...)` : describe(pid)} is not a tensor storage`);
      }
      const [, type, key, , numel] = pid;
      if (pid.length !== 5 || !(type instanceof StorageType) || typeof key !== 'string' || !Number.isSafeInteger(numel) || (numel as number) < 0) {
        throw new Error(`malformed storage id (expected ('storage', torch.<Type>Storage, key, location, numel), got a tuple of ${pid.length})`);
      }
      const seen = storages.get(key);
      if (seen !== undefined) {
        if (seen.dtype !== type.dtype || seen.numel !== numel) throw new Error(`storage '${key}' is named twice with different types or sizes`);
        return seen;
      }
      const data = files[`${prefix}data/${key}`];
      if (data === undefined) throw new Error(`storage '${key}' has no ${prefix}data/${key} entry in the archive`);
      const want = (numel as number) * DTYPE_BYTES[type.dtype];
      if (data.length !== want) {
        throw new Error(`storage '${key}' (${numel} x ${type.dtype}) needs ${want} bytes but ${prefix}data/${key} has ${data.length}`);
      }
      const storage = new Storage(key, type.dtype, numel as number, data);
      storages.set(key, storage);
      return storage;
    },
  };
}

class StorageType implements PickleGlobal {
  readonly module = 'torch';
  constructor(readonly name: string, readonly dtype: StoredDtype) {}
}

function global(module: string, name: string, call: (args: readonly unknown[]) => unknown): PickleGlobal {
  return { module, name, call };
}

function findGlobal(module: string, name: string): PickleGlobal {
  const full = `${module}.${name}`;
  if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) return new StorageType(name, STORAGE_DTYPES[name]!);
  switch (full) {
    case 'collections.OrderedDict':
      return global(module, name, (args) => {
        if (args.length !== 0) throw new Error('OrderedDict(...) with arguments is not supported');
        return new PyDict();
      });
    case 'torch._utils._rebuild_tensor_v2':
      return global(module, name, rebuildTensor);
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      return global(module, name, (args) => {
        if (!(args[0] instanceof TorchTensor)) throw new Error(`${full} expects a tensor, got ${describe(args[0])}`);
        return args[0];
      });
    default:
      throw new Error(
        `refusing the global '${full}': a state-dict checkpoint holds only tensors, dicts and plain values, ` +
        `so only ${ALLOWED.slice(0, 4).join(', ')} and torch's storage types are allowed (nothing was executed)`,
      );
  }
}

function intTuple(v: unknown, what: string): number[] {
  if (!isTuple(v) || v.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
    throw new Error(`_rebuild_tensor_v2: ${what} must be a tuple of non-negative integers, got ${describe(v)}`);
  }
  return v as number[];
}

/** torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
function rebuildTensor(args: readonly unknown[]): TorchTensor {
  if (args.length < 6 || args.length > 7) throw new Error(`_rebuild_tensor_v2 takes 6 or 7 arguments, got ${args.length}`);
  const [storage, offset, sizeArg, strideArg, , hooks] = args;
  if (!(storage instanceof Storage)) throw new Error(`_rebuild_tensor_v2: expected a storage, got ${describe(storage)}`);
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw new Error(`_rebuild_tensor_v2: bad storage offset ${describe(offset)}`);
  const shape = intTuple(sizeArg, 'size');
  const stride = intTuple(strideArg, 'stride');
  if (stride.length !== shape.length) throw new Error(`_rebuild_tensor_v2: size ${formatShape(shape)} and stride (${stride.join(', ')}) differ in length`);
  if (hooks instanceof Map && hooks.size > 0) throw new Error('_rebuild_tensor_v2: tensors with backward hooks are not supported');
  const numel = shapeSize(shape);
  if (numel > 0) {
    let last = offset as number;
    for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * stride[i]!;
    if (!Number.isSafeInteger(numel) || last >= storage.numel) {
      throw new Error(`a tensor of size ${formatShape(shape)}, stride (${stride.join(', ')}) at offset ${offset} reads past its storage '${storage.key}' of ${storage.numel} elements`);
    }
    if (numel > storage.numel && numel > MAX_REPEATED_VIEW) {
      throw new Error(`a tensor of size ${formatShape(shape)} repeats the ${storage.numel} elements of storage '${storage.key}'; views this large are refused`);
    }
  }
  return new TorchTensor(storage, offset as number, shape, stride);
}

function isStateDict(v: unknown): v is PyDict {
  return v instanceof PyDict && v.size > 0 && [...v].every(([k, t]) => typeof k === 'string' && t instanceof TorchTensor);
}

function selectStateDict(root: unknown, key: string | undefined): PyDict {
  if (key !== undefined) {
    if (!(root instanceof PyDict)) throw new PthError(`option key '${key}': the checkpoint holds ${describe(root)}, not a dict`);
    if (!root.has(key)) throw new PthError(`option key '${key}': the checkpoint has no such entry (it has ${keyList(root)})`);
    const inner = root.get(key);
    if (!isStateDict(inner)) throw new PthError(`option key '${key}': the entry holds ${describeEntry(inner)}, not a state dict of tensors`);
    return inner;
  }
  if (isStateDict(root)) return root;
  if (root instanceof PyDict) {
    const candidates = [...root].filter(([, v]) => isStateDict(v)).map(([k]) => `'${String(k)}'`);
    const hint = candidates.length > 0 ? `; pass { key: ${candidates[0]} } to load the state dict it holds` : '';
    throw new PthError(`the checkpoint is a dict with entries ${keyList(root)}, not a state dict of tensors${hint}`);
  }
  throw new PthError(`the checkpoint holds ${describeEntry(root)}, not a state dict`);
}

function describeEntry(v: unknown): string {
  return v instanceof TorchTensor ? `a tensor of size ${formatShape(v.shape)}` : describe(v);
}

function keyList(d: PyDict): string {
  const keys = [...d.keys()].map((k) => (typeof k === 'string' ? `'${k}'` : describe(k)));
  return keys.length > 8 ? `${keys.slice(0, 8).join(', ')}, ... (${keys.length})` : keys.join(', ') || 'none';
}

function materialize(dict: PyDict, littleEndian: boolean): StateDict {
  let total = 0;
  const storageElements = new Map<Storage, number>();
  for (const t of dict.values() as IterableIterator<TorchTensor>) {
    total += shapeSize(t.shape);
    storageElements.set(t.storage, t.storage.numel);
  }
  const budget = MAX_VIEWS_PER_STORAGE * [...storageElements.values()].reduce((a, b) => a + b, 0) + MAX_REPEATED_VIEW;
  if (total > budget) throw new PthError(`the tensors hold ${total} elements, far more than their storages (refusing to allocate them)`);
  const out: StateDict = nameMap();
  for (const [name, t] of dict as Map<string, TorchTensor>) {
    const entry = { data: readTensor(t, littleEndian), shape: [...t.shape] };
    // Long tensors (num_batches_tracked) stay marked int64, so a save writes them back as such.
    out[name] = t.dtype === 'int64' ? { ...entry, dtype: 'int64' } : entry;
  }
  return out;
}

function readTensor(t: TorchTensor, littleEndian: boolean): Float32Array {
  const { storage, shape, stride, offset } = t;
  const numel = shapeSize(shape);
  const size = DTYPE_BYTES[storage.dtype];
  const contiguous = shapeStrides(shape).every((s, i) => shape[i] === 1 || stride[i] === s);
  if (contiguous || numel === 0) return readContiguousAsFloat32(storage.bytes, offset * size, numel, storage.dtype, littleEndian);
  const view = new DataView(storage.bytes.buffer, storage.bytes.byteOffset, storage.bytes.byteLength);
  const out = new Float32Array(numel);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  for (let i = 0; i < numel; i++) {
    out[i] = readElement(view, at * size, storage.dtype, littleEndian);
    // Advance the multi-index (last axis fastest), keeping the storage position in step.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]! += 1;
      at += stride[d]!;
      if (index[d]! < shape[d]!) break;
      at -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}
