// The calibration histogram chart of a report: one input quantizer's histogram of |x| with the
// amax each calibration method chose, and the helpers that describe what each amax clips.
import type { TopLevelSpec } from 'vega-lite';
import { VL_SCHEMA } from './svg.js';

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

/** Colours for methods without one of their own (e.g. each of several percentiles), by position. */
const OTHER_COLORS = ['#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#ff7f0e'];

/** The colour of a method's amax line: its own, else one by its position among the methods. */
export function methodColor(method: string, index: number): string {
  return METHOD_COLORS[method] ?? OTHER_COLORS[index % OTHER_COLORS.length]!;
}

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

/**
 * The amax each calibration method chose for a quantizer (the largest of its values), from each
 * method's amax by state-dict name (`conv1._input_quantizer._amax`).
 */
export function amaxByMethod(
  byMethod: Readonly<Record<string, { amax: Readonly<Record<string, readonly number[]>> } | undefined>>,
  quantizer: string,
): { method: string; amax: number }[] {
  const key = `${quantizer}._amax`;
  const out: { method: string; amax: number }[] = [];
  for (const [method, r] of Object.entries(byMethod)) {
    const a = r?.amax[key];
    if (a && a.length > 0) out.push({ method, amax: Math.max(...a) });
  }
  return out;
}

/** Methods whose amax are this close (as a fraction of the histogram's range) share one label. */
export const COINCIDE_FRACTION = 1e-3;

/** Methods that chose (nearly) the same amax, labelled together: "max = percentile = mse  2.821". */
export interface AmaxGroup {
  methods: string[];
  amax: number;
  label: string;
}

/** Groups `rules` whose amax lie within `COINCIDE_FRACTION * range` of each other, by amax. */
export function groupCoinciding(rules: readonly { method: string; amax: number }[], range: number): AmaxGroup[] {
  const sorted = [...rules].sort((a, b) => a.amax - b.amax);
  const groups: { methods: string[]; amaxes: number[] }[] = [];
  for (const r of sorted) {
    const last = groups.at(-1);
    if (last && r.amax - last.amaxes[0]! <= COINCIDE_FRACTION * range) {
      last.methods.push(r.method);
      last.amaxes.push(r.amax);
    } else groups.push({ methods: [r.method], amaxes: [r.amax] });
  }
  return groups.map((g) => {
    const amax = g.amaxes[0]!;
    const same = g.amaxes.every((a) => a === amax);
    const value = same ? amax.toPrecision(4) : `${amax.toPrecision(4)}-${g.amaxes.at(-1)!.toPrecision(4)}`;
    return { methods: g.methods, amax, label: `${g.methods.join(' = ')}  ${value}` };
  });
}

/** Share of the histogram's count in bins that lie wholly above `amax` (what that amax clips). */
export function clippedShare(h: CalibHistogram, amax: number): number {
  let total = 0;
  let above = 0;
  for (let i = 0; i < h.counts.length; i++) {
    total += h.counts[i]!;
    if (h.edges[i]! >= amax) above += h.counts[i]!;
  }
  return total > 0 ? above / total : 0;
}

/** The fullest bin: its edges and its share of the count. */
export function fullestBin(h: CalibHistogram): { lo: number; hi: number; share: number } {
  let best = 0;
  let total = 0;
  for (let i = 0; i < h.counts.length; i++) {
    total += h.counts[i]!;
    if (h.counts[i]! > h.counts[best]!) best = i;
  }
  return { lo: h.edges[best]!, hi: h.edges[best + 1]!, share: total > 0 ? h.counts[best]! / total : 0 };
}

/** Bins on each side of an amax in its zoom panel: few enough that one bin is a few pixels wide. */
export const ZOOM_BINS = 12;

/** The histogram's own bins (not merged) that overlap [lo, hi]. */
export function binsIn(h: CalibHistogram, lo: number, hi: number): { x: number; x2: number; count: number }[] {
  const out: { x: number; x2: number; count: number }[] = [];
  for (let i = 0; i < h.counts.length; i++) {
    if (h.edges[i + 1]! >= lo && h.edges[i]! <= hi) out.push({ x: h.edges[i]!, x2: h.edges[i + 1]!, count: h.counts[i]! });
  }
  return out;
}

/** Powers of ten from 1 to the first at or above `max`, with 0: the count axis's ticks. */
export function countTicks(max: number): number[] {
  const ticks = [0];
  for (let t = 1; ticks.at(-1)! < max; t *= 10) ticks.push(t);
  return ticks;
}

// Each label formatted alone ('~s' on the whole axis would print 100 as "0k").
const COUNT_AXIS = (max: number) => ({
  values: countTicks(max), labelExpr: "datum.value >= 1000 ? format(datum.value, '.0s') : format(datum.value, 'd')", title: 'count',
});

/**
 * The calibration histogram of one quantizer: the whole range (adjacent bins merged) with
 * each method's amax as a labelled rule, and below it one panel per distinct amax showing the
 * histogram's own bins around it, so a one-bin spike or a clipped tail is visible.
 */
export function histogramSpec(h: CalibHistogram, rules: { method: string; amax: number }[]): TopLevelSpec {
  const methods = rules.map((r) => r.method);
  const n = h.counts.length;
  const lo = h.edges[0]!;
  const hi = h.edges[n]!;
  const maxCount = Math.max(1, ...Array.from(h.counts));
  const groups = groupCoinciding(rules, hi - lo);
  const color = {
    field: 'method',
    type: 'nominal' as const,
    title: 'amax by method',
    scale: { domain: methods, range: methods.map((m, i) => methodColor(m, i)) },
  };
  // One text layer per label, each on its own line, right-aligned near the right edge.
  const labelLayers = groups.map((g, i) => {
    const right = g.amax > lo + 0.6 * (hi - lo);
    return {
      data: { values: [{ amax: g.amax, label: g.label }] },
      mark: { type: 'text' as const, align: right ? ('right' as const) : ('left' as const), dx: right ? -4 : 4, dy: 14 * i, baseline: 'top' as const, fontSize: 11 },
      encoding: { x: { field: 'amax', type: 'quantitative' as const }, y: { value: 2 }, text: { field: 'label' } },
    };
  });
  const zoomWidth = Math.floor((560 - 20 * (groups.length - 1)) / Math.max(1, groups.length));
  const half = (ZOOM_BINS * (hi - lo)) / n;
  const zooms = groups.map((g) => {
    const zlo = Math.max(lo, g.amax - half);
    const zhi = Math.min(hi, g.amax + half);
    const bins = binsIn(h, zlo, zhi);
    const zmax = Math.max(1, ...bins.map((b) => b.count));
    return {
      title: { text: `around ${g.label}`, fontSize: 11 },
      width: zoomWidth,
      height: 110,
      layer: [
        // The rule first, so that a bin right at the amax (a spike) is drawn over it.
        {
          data: { values: rules.filter((r) => g.methods.includes(r.method)) },
          mark: { type: 'rule' as const, strokeWidth: 2, strokeDash: [4, 2] },
          encoding: { x: { field: 'amax', type: 'quantitative' as const, scale: { domain: [zlo, zhi], nice: false, zero: false } }, color },
        },
        {
          data: { values: bins },
          mark: { type: 'bar' as const, color: '#555' },
          encoding: {
            x: { field: 'x', type: 'quantitative' as const, title: '|x|', scale: { domain: [zlo, zhi], nice: false, zero: false }, axis: { tickCount: 3 } },
            x2: { field: 'x2' },
            y: { field: 'count', type: 'quantitative' as const, scale: { type: 'symlog' as const, domain: [0, zmax] }, axis: { ...COUNT_AXIS(zmax), title: null } },
            y2: { datum: 0 },
          },
        },
      ],
    };
  });
  return {
    $schema: VL_SCHEMA,
    title: {
      text: h.quantizer,
      subtitle: `calibration histogram of |x| (${n} bins, adjacent ones summed) and each method's amax; below: the ${2 * ZOOM_BINS} bins around each amax`,
    },
    vconcat: [
      {
        width: 560,
        height: 200,
        layer: [
          {
            data: { values: histogramPoints(h) },
            mark: { type: 'area', interpolate: 'step', color: '#999', opacity: 0.6 },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: '|x|', scale: { domain: [lo, hi], nice: false } },
              y: { field: 'count', type: 'quantitative', scale: { type: 'symlog', domain: [0, maxCount] }, axis: COUNT_AXIS(maxCount) },
            },
          },
          {
            data: { values: rules },
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: { x: { field: 'amax', type: 'quantitative' }, color },
          },
          ...labelLayers,
        ],
      },
      { hconcat: zooms },
    ],
    resolve: { scale: { color: 'shared' } },
  };
}

