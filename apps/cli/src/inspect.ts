// `pq inspect`: what an ONNX file holds and whether pq can import it.
import { readFileSync } from 'node:fs';
import { UsageError, formatCount, formatTable } from '@pq/app-kit';
import { formatDims, inspectOnnx } from '@pq/onnx';

/** The report's lines (`label` names the file, default its path); importable tells whether pq can import the model. */
export function inspectFile(path: string, label = path): { lines: string[]; importable: boolean } {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new UsageError(`cannot read ${path} (${(e as Error).message})`);
  }
  const info = inspectOnnx(bytes);
  const values = (list: typeof info.inputs) => formatTable(['name', 'type', 'shape'], list.map((v) => [v.name, v.type, formatDims(v.shape)])).map((l) => `  ${l}`);
  const nodes = info.ops.reduce((n, [, c]) => n + c, 0);
  const lines = [
    `${label}: ONNX IR ${info.irVersion}, opset ${info.opset}${info.otherDomains.length ? ` (+ ${info.otherDomains.join(', ')})` : ''}${info.producer ? `, from ${info.producer}` : ''}`,
    `parameters: ${formatCount(info.parameters)}`,
    'inputs:',
    ...values(info.inputs),
    'outputs:',
    ...values(info.outputs),
    `ops (${formatCount(nodes)} nodes):`,
    ...formatTable(['op', 'count'], info.ops.map(([op, n]) => [op, String(n)])).map((l) => `  ${l}`),
    info.importable ? 'pq can import it: yes' : `pq can import it: no (${info.problems.length} problem${info.problems.length === 1 ? '' : 's'})`,
    ...info.problems.map((p) => `  - ${p}`),
  ];
  return { lines, importable: info.importable };
}
