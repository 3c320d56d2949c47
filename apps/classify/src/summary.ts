// summary.json and the terminal tables. Everything but `timing` depends only on the options and
// the data, so two runs with the same --seed write the same bytes up to the `timing` block.
import { type PhaseTiming, formatCount, formatDelta, formatPercent, formatTable } from '@pq/app-kit';
import type { EpochRecord } from '@pq/app-kit/report';
import type { Calibrator } from './args.js';
import type { QuantConfigsSummary } from './presetStep.js';

export interface PtqResult {
  calibrator: Calibrator;
  accuracy: number;
  /** Every per-tensor quantizer's amax by state-dict name (`conv1._input_quantizer._amax`); per-channel ones are in the state-dict files. */
  amax: Record<string, number[]>;
  /** The state dict file, in --out. */
  file: string;
}

export interface SensitivityRow {
  /** The layer whose quantizers were disabled, e.g. `layer1.0.conv1` or `layer1.0.residual_quantizer`. */
  layer: string;
  quantizers: number;
  accuracy: number;
}

export interface Summary {
  model: string;
  data: { source: string; classes: number; train: number; val: number; imageSize: number };
  float: { accuracy: number; history: EpochRecord[]; weights?: string; file: string };
  calibration: { images: number; batches: number } | null;
  /** By method: 'max', 'percentile-99.9', ..., 'mse', 'entropy'; in the order evaluated. */
  ptq: Record<string, PtqResult>;
  /** The PTQ method kept (highest accuracy, the first on ties) for sensitivity, fine-tuning and export. */
  best: string | null;
  /** --quant-config: each ModelOpt-style config on the float model; null without it. */
  quantConfigs: QuantConfigsSummary | null;
  /** With the best PTQ model: each layer's quantizers disabled in turn; most sensitive (highest accuracy) first. */
  sensitivity: SensitivityRow[] | null;
  finetune: { from: string; accuracy: number; history: EpochRecord[]; file: string } | null;
  onnx: { file: string; accuracy: number; maxAbsDiff: number; differingImages: number; argmaxAgreement: number } | null;
  warnings: string[];
  /** Last, and the only part that varies between runs with the same seed. */
  /**
   * wallSeconds: from the flow's start to the summary; cpuSeconds: the process's CPU time in that
   * span (user + system), which a busy machine does not inflate as it does the wall time.
   */
  timing: { float: PhaseTiming | null; finetune: PhaseTiming | null; wallSeconds: number; cpuSeconds: number };
}

export function summaryJson(s: Summary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}

export interface TableRow {
  stage: string;
  accuracy: number;
  /** Accuracy minus float accuracy, in percentage points; null for the float row. */
  deltaPoints: number | null;
}

export function tableRows(s: Summary): TableRow[] {
  const delta = (a: number): number => (a - s.float.accuracy) * 100;
  const rows: TableRow[] = [{ stage: 'float', accuracy: s.float.accuracy, deltaPoints: null }];
  for (const [method, r] of Object.entries(s.ptq)) {
    rows.push({ stage: `PTQ ${method}${method === s.best ? ' (kept)' : ''}`, accuracy: r.accuracy, deltaPoints: delta(r.accuracy) });
  }
  for (const [name, r] of Object.entries(s.quantConfigs?.results ?? {})) {
    rows.push({ stage: `${name} (${r.algorithm})`, accuracy: r.accuracy, deltaPoints: delta(r.accuracy) });
  }
  if (s.finetune) rows.push({ stage: `QAT (from ${s.finetune.from})`, accuracy: s.finetune.accuracy, deltaPoints: delta(s.finetune.accuracy) });
  if (s.onnx) rows.push({ stage: `ONNX Runtime (${s.onnx.file})`, accuracy: s.onnx.accuracy, deltaPoints: delta(s.onnx.accuracy) });
  for (const r of Object.values(s.quantConfigs?.results ?? {})) {
    if (r.onnx) rows.push({ stage: `ONNX Runtime (${r.onnx.file})`, accuracy: r.onnx.accuracy, deltaPoints: delta(r.onnx.accuracy) });
  }
  return rows;
}

/** The accuracy table, then the sensitivity table when there is one. */
export function formatSummaryTables(s: Summary): string {
  const lines = [
    `${s.model} on ${s.data.source}: ${formatCount(s.data.train)} train / ${formatCount(s.data.val)} val, ${s.data.classes} classes, ${s.data.imageSize}x${s.data.imageSize}`,
    ...formatTable(['stage', 'val accuracy', 'vs float (pts)'], tableRows(s).map((r) => [r.stage, formatPercent(r.accuracy), formatDelta(r.deltaPoints)])),
  ];
  if (s.onnx) {
    lines.push(
      `ONNX vs pq: max |difference| ${s.onnx.maxAbsDiff.toExponential(2)} (${formatCount(s.onnx.differingImages)} images differ by more than 1e-4), argmax agreement ${formatPercent(s.onnx.argmaxAgreement)}`,
    );
  }
  for (const c of s.quantConfigs?.rtnVsAwq ?? []) {
    lines.push(`${c.bits}-bit weights: RTN ${formatPercent(c.rtn)}, AWQ ${formatPercent(c.awq)} (AWQ ${formatDelta((c.awq - c.rtn) * 100)} pts)`);
  }
  for (const [name, r] of Object.entries(s.quantConfigs?.results ?? {})) {
    if (r.onnx) lines.push(`ONNX ${r.onnx.file} vs pq: max |difference| ${r.onnx.maxAbsDiff.toExponential(2)}, argmax agreement ${formatPercent(r.onnx.argmaxAgreement)} (${name})`);
  }
  if (s.sensitivity && s.best) {
    const base = s.ptq[s.best]!.accuracy;
    lines.push('', `sensitivity (PTQ ${s.best} with one layer's quantizers disabled; most sensitive first)`);
    lines.push(...formatTable(['layer left in float', 'val accuracy', `vs PTQ (pts)`], s.sensitivity.map((r) => [r.layer, formatPercent(r.accuracy), formatDelta((r.accuracy - base) * 100)])));
  }
  return `${lines.join('\n')}\n`;
}
