// summary.json and the terminal table. Everything but `timing` depends only on the options and
// the data, so two runs with the same --seed write the same bytes up to the `timing` block.
import { ONNX_DIFF_TOLERANCE, type PhaseTiming, formatDelta, formatPercent, formatTable } from '@pq/app-kit';
import type { EpochRecord } from '@pq/app-kit/report';
import type { CalibMethod } from './args.js';

export type { EpochRecord, PhaseTiming };

export interface PtqResult {
  accuracy: number;
  /** Every quantizer of the model by state-dict name (`conv1._input_quantizer._amax`), amax flattened. */
  amax: Record<string, number[]>;
}

export interface Summary {
  data: { source: string; train: number; test: number };
  float: {
    accuracy: number;
    history: EpochRecord[];
    weights?: string;
  };
  ptq: Partial<Record<CalibMethod, PtqResult>>;
  qat: { from: CalibMethod; accuracy: number; history: EpochRecord[] } | null;
  /** differingImages: test images with an output more than ONNX_DIFF_TOLERANCE from pq's. */
  onnx: { file: string; maxAbsDiff: number; differingImages: number; argmaxAgreement: number } | null;
  /** What looked wrong but did not stop the run (e.g. a diverging loss). */
  warnings: string[];
  /** Last, and the only part that varies between runs with the same seed. float is null with --epochs 0, qat with --qat-epochs 0. */
  timing: { float: PhaseTiming | null; qat: PhaseTiming | null };
}

export function summaryJson(s: Summary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

export interface TableRow {
  model: string;
  accuracy: number;
  /** Accuracy minus float accuracy, in percentage points; null for the float row. */
  deltaPoints: number | null;
}

export function tableRows(s: Summary): TableRow[] {
  const rows: TableRow[] = [{ model: 'float', accuracy: s.float.accuracy, deltaPoints: null }];
  const delta = (a: number): number => (a - s.float.accuracy) * 100;
  for (const [method, r] of Object.entries(s.ptq) as [CalibMethod, PtqResult][]) {
    rows.push({ model: `PTQ ${method}`, accuracy: r.accuracy, deltaPoints: delta(r.accuracy) });
  }
  if (s.qat) rows.push({ model: `QAT (from ${s.qat.from})`, accuracy: s.qat.accuracy, deltaPoints: delta(s.qat.accuracy) });
  return rows;
}

/** The terminal table: model, test accuracy, change vs float in points, then the ONNX check. */
export function formatSummaryTable(s: Summary): string {
  const rows = tableRows(s).map((r) => [r.model, formatPercent(r.accuracy), formatDelta(r.deltaPoints)]);
  const lines = [
    `${s.data.source}: ${s.data.train.toLocaleString('en-US')} train / ${s.data.test.toLocaleString('en-US')} test`,
    ...formatTable(['model', 'test accuracy', 'vs float (pts)'], rows),
  ];
  if (s.onnx) {
    lines.push(
      `ONNX ${s.onnx.file}: max |onnxruntime - pq| ${s.onnx.maxAbsDiff.toExponential(2)} ` +
        `(${s.onnx.differingImages.toLocaleString('en-US')} of ${s.data.test.toLocaleString('en-US')} images differ by more than ${ONNX_DIFF_TOLERANCE.toExponential(0)}), ` +
        `argmax agreement ${formatPercent(s.onnx.argmaxAgreement)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
