// Every output file is written to a temporary name beside it and renamed into place, so a
// reader (or a Ctrl-C) never sees a half-written summary.json, state dict, report or model.
// Temporary files still open when the process is interrupted are removed by the SIGINT /
// SIGTERM handler that installInterruptCleanup() installs.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const pending = new Set<string>();
let counter = 0;

/** The temporary sibling of `path` used while writing it: `.NAME.PID.N.tmp`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
}

/** Temporary files being written right now (removed on interrupt). */
export function pendingTempFiles(): string[] {
  return [...pending];
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  pending.add(tmp);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`writing ${path}: ${(e as Error).message}`);
  } finally {
    pending.delete(tmp);
  }
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  pending.add(tmp);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`writing ${path}: ${(e as Error).message}`);
  } finally {
    pending.delete(tmp);
  }
}

/**
 * Registers a temporary file written by other code (e.g. a library's own save) so an
 * interrupt removes it too; call the returned function once it is renamed or removed.
 */
export function trackTempFile(tmp: string): () => void {
  pending.add(tmp);
  return () => pending.delete(tmp);
}

/** Removes every pending temporary file now; returns the ones removed. */
export function removePendingTempFiles(): string[] {
  const removed: string[] = [];
  for (const tmp of pending) {
    try {
      rmSync(tmp, { force: true });
      removed.push(tmp);
    } catch {
      // Nothing more can be done while exiting; the name is still reported.
    }
  }
  pending.clear();
  return removed;
}

/**
 * On SIGINT / SIGTERM: remove pending temporary files, report, and exit with 130 / 143
 * (128 + signal number, the shell convention). Returns a function that uninstalls it.
 */
export function installInterruptCleanup(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    const removed = removePendingTempFiles();
    log(`\ninterrupted (${signal})${removed.length ? `: removed ${removed.length} unfinished file(s)` : ''}; finished outputs are complete`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
