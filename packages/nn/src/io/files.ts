// Saving and loading state files and ONNX models on Node (the @pq/nn/node entry). Every save
// goes through writeFileAtomic, so an interrupted or failed save leaves either the old file or
// the new one, never a half-written one.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { StateDict, StateDictLike } from './state.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { decodeStateJson, encodeStateJson } from './state_json.js';
import { loadCheckpoint, type LoadCheckpointOptions } from './checkpoint.js';

export interface WriteFileAtomicOptions {
  /** Create missing parent folders first (default false: a missing folder is an error). */
  mkdir?: boolean;
  /**
   * Told the temporary file's path before it is created; the function it returns is called once
   * that file is renamed into place or removed (e.g. to delete unfinished files on Ctrl-C).
   */
  onTempFile?: (tmp: string) => () => void;
}

/**
 * Writes `data` to `path` atomically and durably: a temporary file beside it (`.NAME.PID.RANDOM.tmp`)
 * is written and fsynced, renamed over `path`, and the folder is fsynced so the rename survives a
 * power loss. On failure the temporary file is removed and the error names `path`.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, o: WriteFileAtomicOptions = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const done = o.onTempFile?.(tmp);
  try {
    if (o.mkdir) await fs.mkdir(dir, { recursive: true });
    const file = await fs.open(tmp, 'wx');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.rename(tmp, path);
    await syncFolder(dir);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new Error(`writing ${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    done?.();
  }
}

/** fsyncs a folder (its entries: a rename); platforms that cannot open folders (Windows) skip it. */
async function syncFolder(dir: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(dir, 'r');
  } catch (e) {
    if (['EISDIR', 'EPERM', 'EACCES'].includes((e as NodeJS.ErrnoException).code ?? '')) return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    // Some file systems refuse fsync on a folder; the rename itself has happened.
    if (!['EINVAL', 'ENOTSUP', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await handle.close();
  }
}

export async function saveSafetensors(path: string, dict: StateDictLike, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(dict, metadata));
}

export async function loadSafetensors(path: string): Promise<StateDict> {
  const bytes = await fs.readFile(path);
  try {
    return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Writes ONNX model bytes (from `exportOnnx`) atomically, so a crash never leaves half a model. */
export async function saveOnnx(path: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(path, bytes);
}

export async function saveStateJson(path: string, dict: StateDictLike): Promise<void> {
  await writeFileAtomic(path, encodeStateJson(dict));
}

export async function loadStateJson(path: string): Promise<StateDict> {
  const text = await fs.readFile(path, 'utf8');
  try {
    return decodeStateJson(text);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads a .pth (torch.save) or .safetensors checkpoint file's state dict (see loadCheckpoint). */
export async function loadCheckpointFile(path: string, o: LoadCheckpointOptions = {}): Promise<StateDict> {
  const bytes = await fs.readFile(path);
  try {
    return loadCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), o);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}
