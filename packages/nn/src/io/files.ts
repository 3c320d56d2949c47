// Saving and loading state files. A save writes a temporary file next to the target and renames
// it over the target, so an interrupted save leaves either the old file or the new one, never a
// half-written one.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { StateDict, StateDictLike } from './state.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { decodeStateJson, encodeStateJson } from './state_json.js';

/** Writes `data` to `path` atomically (temporary file in the same directory, then rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
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
