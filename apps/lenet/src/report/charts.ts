// Vega-Lite chart specs for report.html, rendered headless to SVG strings by vega's View
// (renderer 'none' + toSVG(): no DOM, no canvas, no browser).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';

/** Renders a Vega-Lite spec to a standalone SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A calibration histogram of |x| as HistogramCalibrator collected it. */
export interface CalibHistogram {
  /** Quantizer name as in the state dict, e.g. "conv1._input_quantizer". */
  quantizer: string;
  /** Bin edges (counts.length + 1 of them, or one more, as the calibrator can leave). */
  edges: ArrayLike<number>;
  counts: ArrayLike<number>;
}

export const METHOD_COLORS: Record<string, string> = {
  max: '#d62728',
  percentile: '#1f77b4',
  mse: '#2ca02c',
  entropy: '#9467bd',
};

/** At most this many points per histogram in the SVG (adjacent bins are summed). */
export const MAX_HISTOGRAM_POINTS = 512;

/** Bin centres and counts, merging adjacent bins so that at most `maxPoints` remain. */
export function histogramPoints(h: CalibHistogram, maxPoints = MAX_HISTOGRAM_POINTS): { x: number; count: number }[] {
  const n = h.counts.length;
  if (h.edges.length < n + 1) throw new Error(`histogram ${h.quantizer}: ${h.edges.length} edges for ${n} bins`);
  const group = Math.max(1, Math.ceil(n / maxPoints));
  const points: { x: number; count: number }[] = [];
  for (let start = 0; start < n; start += group) {
    const end = Math.min(n, start + group);
    let count = 0;
    for (let i = start; i < end; i++) count += h.counts[i]!;
    points.push({ x: (h.edges[start]! + h.edges[end]!) / 2, count });
  }
  return points;
}

/** The amax each calibration method chose for a per-tensor quantizer, read from the summary. */
export function amaxByMethod(summary: Summary, quantizer: string): { method: string; amax: number }[] {
  const key = `${quantizer}._amax`;
  const out: { method: string; amax: number }[] = [];
  for (const [method, r] of Object.entries(summary.ptq)) {
    const a = r?.amax[key];
    if (a && a.length > 0) out.push({ method, amax: Math.max(...a) });
  }
  return out;
}

export function histogramSpec(h: CalibHistogram, rules: { method: string; amax: number }[]): TopLevelSpec {
  const methods = rules.map((r) => r.method);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: h.quantizer, subtitle: 'calibration histogram of |x| (symlog counts) and each method\'s amax' },
    width: 560,
    height: 200,
    layer: [
      {
        data: { values: histogramPoints(h) },
        mark: { type: 'area', interpolate: 'step', color: '#999', opacity: 0.6 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: '|x|' },
          y: { field: 'count', type: 'quantitative', scale: { type: 'symlog' }, title: 'count' },
        },
      },
      {
        data: { values: rules },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          x: { field: 'amax', type: 'quantitative' },
          color: {
            field: 'method',
            type: 'nominal',
            title: 'amax by method',
            scale: { domain: methods, range: methods.map((m) => METHOD_COLORS[m] ?? '#333') },
          },
        },
      },
    ],
  };
}

/** Training curves: train loss and test accuracy per epoch, float and QAT epochs in sequence. */
export function trainingCurvesSpec(summary: Summary): TopLevelSpec | null {
  const rows: { phase: string; epoch: number; trainLoss: number; testAccuracy: number }[] = [];
  for (const r of summary.float.history) rows.push({ phase: 'float', epoch: r.epoch, ...pick(r) });
  const offset = summary.float.history.length;
  for (const r of summary.qat?.history ?? []) rows.push({ phase: 'QAT', epoch: offset + r.epoch, ...pick(r) });
  if (rows.length === 0) return null;
  const color = { field: 'phase', type: 'nominal' as const, scale: { domain: ['float', 'QAT'], range: ['#1f77b4', '#ff7f0e'] } };
  const x = { field: 'epoch', type: 'quantitative' as const, axis: { tickMinStep: 1 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    hconcat: [
      {
        title: 'training loss (epoch mean)',
        width: 300,
        height: 200,
        mark: { type: 'line', point: true },
        encoding: { x, y: { field: 'trainLoss', type: 'quantitative', title: 'nll loss', scale: { zero: false } }, color },
      },
      {
        title: 'test accuracy after each epoch',
        width: 300,
        height: 200,
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'testAccuracy', type: 'quantitative', title: 'accuracy', axis: { format: '.1%' }, scale: { zero: false } },
          color,
        },
      },
    ],
  };
}

function pick(r: { trainLoss: number; testAccuracy: number }): { trainLoss: number; testAccuracy: number } {
  return { trainLoss: r.trainLoss, testAccuracy: r.testAccuracy };
}
