// Every output file is written to a temporary name beside it, fsynced and renamed into place
// (@pq/nn's writeFileAtomic), so a reader (or a Ctrl-C) never sees a half-written summary.json,
// state dict, report or model.
// Temporary files still open when the process is interrupted are removed by the SIGINT /
// SIGTERM handler that installInterruptCleanup() installs.
import { rmSync } from 'node:fs';
import { writeFileAtomic as writeAtomic } from '@pq/nn/node';

const pending = new Set<string>();

/** Temporary files being written right now (removed on interrupt). */
export function pendingTempFiles(): string[] {
  return [...pending];
}

/** @pq/nn's writeFileAtomic, creating missing folders, with its temporary file removed on interrupt. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeAtomic(path, data, { mkdir: true, onTempFile: trackTempFile });
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
