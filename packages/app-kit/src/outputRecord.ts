// --out never mixes runs. Each run records the output files it is about to write in a record
// file (e.g. lenet-outputs.json, written by "pq-lenet") and first removes the files the previous run's record lists, so no
// earlier QAT model or ONNX file is left beside a summary that says there was none. A file
// under one of the output names that no record lists (a user's own, or an older run's) is
// never removed or overwritten: the run stops before training and names it.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from './args.js';
import { writeFileAtomic } from './atomicWrite.js';

/** Which app keeps the record, and in which file of --out. */
export interface OutputRecordKind {
  /** The record's file name in --out, e.g. "lenet-outputs.json". */
  file: string;
  /** The program that writes it, e.g. "pq-lenet"; a record by another program is refused. */
  writer: string;
}

interface OutputRecord {
  writtenBy: string;
  files: readonly string[];
}

function readRecord(out: string, kind: OutputRecordKind): readonly string[] {
  const path = join(out, kind.file);
  if (!existsSync(path)) return [];
  let record: Partial<OutputRecord> | null = null;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as Partial<OutputRecord>;
  } catch {
    // reported below
  }
  if (record?.writtenBy !== kind.writer || !Array.isArray(record.files) || !record.files.every((f) => typeof f === 'string')) {
    throw new UsageError(`--out ${out}: ${kind.file} is not ${kind.writer}'s record of its outputs; move it away or choose another --out`);
  }
  return record.files;
}

const recordText = (writer: string, files: readonly string[]): string =>
  `${JSON.stringify({ writtenBy: writer, files } satisfies OutputRecord, null, 2)}\n`;

/**
 * Makes `out` ready for a run that writes `planned` (a subset of `outputNames`, every name a
 * run can write, as a list or as a test of a file name): creates it, checks it is writable, removes the previous run's outputs.
 * Throws a UsageError, having changed nothing, when `out` is a file, cannot be created or
 * written, or holds an output name that no record lists.
 */
export async function prepareOutDir(
  out: string,
  planned: readonly string[],
  outputNames: readonly string[] | ((file: string) => boolean),
  kind: OutputRecordKind,
): Promise<void> {
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file; give a folder for the outputs`);
  try {
    await mkdir(out, { recursive: true });
  } catch (e) {
    throw new UsageError(`--out ${out}: cannot create the folder (${(e as Error).message})`);
  }
  const isOutput = typeof outputNames === 'function' ? outputNames : (f: string): boolean => outputNames.includes(f);
  const recorded = new Set(readRecord(out, kind).filter(isOutput));
  const present = typeof outputNames === 'function' ? readdirSync(out).filter(isOutput) : outputNames.filter((f) => existsSync(join(out, f)));
  const foreign = present.filter((f) => !recorded.has(f));
  if (foreign.length > 0) {
    throw new UsageError(
      `--out ${out} already holds ${foreign.join(', ')}, which no earlier run recorded writing (${kind.file}); ` +
        'move them away or choose another --out',
    );
  }
  const write = async (files: readonly string[]): Promise<void> => {
    try {
      await writeFileAtomic(join(out, kind.file), recordText(kind.writer, files));
    } catch (e) {
      throw new UsageError(`--out ${out} is not writable (${(e as Error).message})`);
    }
  };
  // Record both runs' files until the old ones are gone, so an interrupt here loses no track.
  await write([...new Set([...recorded, ...planned])]);
  for (const f of recorded) await rm(join(out, f), { force: true });
  await write(planned);
}
