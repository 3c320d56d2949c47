// The training-curves chart of a report: loss and test accuracy per epoch, float training then
// quantization-aware fine-tuning.
import type { TopLevelSpec } from 'vega-lite';
import { VL_SCHEMA } from './svg.js';

/** One training epoch as the summaries record it. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  testAccuracy: number;
}

export interface TrainingCurves {
  float: readonly EpochRecord[];
  /** QAT epochs, after the float ones. */
  qat: readonly EpochRecord[];
  /** Legend entry of the QAT phase, e.g. "QAT (from percentile)". */
  qatLabel: string;
  /** Title of the loss axis (default "nll loss"). */
  lossTitle?: string;
}

/**
 * Training curves: train loss and test accuracy per epoch, float and QAT epochs in sequence.
 * The x axis labels QAT epochs as "QAT 1", ..., behind a dashed rule where fine-tuning starts.
 * Null when there are no epochs at all.
 */
export function trainingCurvesSpec(c: TrainingCurves): TopLevelSpec | null {
  const rows: { phase: string; epoch: number; trainLoss: number; testAccuracy: number }[] = [];
  for (const r of c.float) rows.push({ phase: 'float', epoch: r.epoch, ...pick(r) });
  const offset = c.float.length;
  const qatPhase = c.qatLabel;
  for (const r of c.qat) rows.push({ phase: qatPhase, epoch: offset + r.epoch, ...pick(r) });
  if (rows.length === 0) return null;
  const hasQat = rows.some((r) => r.phase === qatPhase);
  const color = {
    field: 'phase', type: 'nominal' as const, title: null, legend: { labelLimit: 250 },
    scale: { domain: ['float', qatPhase], range: ['#1f77b4', '#ff7f0e'] },
  };
  const x = {
    field: 'epoch',
    type: 'quantitative' as const,
    title: hasQat ? 'epoch (float, then QAT)' : 'epoch',
    scale: { domain: [0.5, rows.length + 0.5], nice: false },
    axis: { values: rows.map((r) => r.epoch), labelExpr: `datum.value > ${offset} ? 'QAT ' + (datum.value - ${offset}) : datum.label` },
  };
  const qatStart = hasQat
    ? [
        {
          data: { values: [{ at: offset + 0.5 }] },
          mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#ff7f0e' },
          encoding: { x: { field: 'at', type: 'quantitative' as const } },
        },
        {
          data: { values: [{ at: offset + 0.5, text: 'QAT starts' }] },
          mark: { type: 'text' as const, align: 'right' as const, dx: -3, baseline: 'top' as const, fontSize: 10, color: '#ff7f0e' },
          encoding: { x: { field: 'at', type: 'quantitative' as const }, y: { value: 2 }, text: { field: 'text' } },
        },
      ]
    : [];
  const panel = (title: string, y: object) => ({
    title,
    width: 300,
    height: 200,
    layer: [
      { data: { values: rows }, mark: { type: 'line' as const, point: true }, encoding: { x, y, color } },
      ...qatStart,
    ],
  });
  return {
    $schema: VL_SCHEMA,
    hconcat: [
      panel('training loss (epoch mean)', { field: 'trainLoss', type: 'quantitative', title: c.lossTitle ?? 'nll loss', scale: { zero: false } }),
      panel('test accuracy after each epoch', {
        field: 'testAccuracy', type: 'quantitative', title: 'accuracy', axis: { format: '.1%' }, scale: { zero: false },
      }),
    ],
  };
}

function pick(r: { trainLoss: number; testAccuracy: number }): { trainLoss: number; testAccuracy: number } {
  return { trainLoss: r.trainLoss, testAccuracy: r.testAccuracy };
}
