// report.html: one self-contained page (inline CSS and SVG, no scripts, no network): the
// accuracy table, the training curves, the sensitivity profile as a chart, calibration
// histograms with each method's amax, the amax table and the ONNX check.
import { formatDelta, formatPercent } from '@pq/app-kit';
import {
  type CalibHistogram, type TopLevelSpec, VL_SCHEMA, amaxByMethod, escapeHtml, histogramSpec, htmlPage, htmlTable, renderSvg, trainingCurvesSpec, warningsBox,
} from '@pq/app-kit/report';
import { PRESET_OPSET } from './presetStep.js';
import { type Summary, tableRows } from './summary.js';

export interface ReportInput {
  summary: Summary;
  /** The histogram calibrator's statistics, one per quantizer. */
  histograms: CalibHistogram[];
  command?: string;
}

/** At most this many calibration histograms are drawn (the most sensitive layers' first). */
export const MAX_HISTOGRAMS = 8;

interface BarsInput {
  title: string;
  subtitle: string;
  /** One bar each, top to bottom. */
  rows: Array<{ label: string; accuracy: number }>;
  /** Dashed reference lines (a baseline), each with its colour. */
  refs: Array<{ label: string; accuracy: number; color: string }>;
  xTitle: string;
  barColor: string;
  rowHeight: number;
  minHeight: number;
}

/** Horizontal accuracy bars against reference lines, the axis zoomed to the values. */
function accuracyBarsSpec(b: BarsInput): TopLevelSpec {
  const rows = b.rows.map((r, rank) => ({ ...r, rank }));
  const all = [...rows, ...b.refs].map((r) => r.accuracy);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = Math.max((hi - lo) * 0.1, 0.0005);
  const x = { field: 'accuracy', type: 'quantitative' as const, title: b.xTitle, axis: { format: '.2%' }, scale: { domain: [lo - pad, hi + pad], nice: false } };
  return {
    $schema: VL_SCHEMA,
    title: { text: b.title, subtitle: b.subtitle },
    width: 520,
    height: Math.max(b.minHeight, b.rowHeight * rows.length),
    layer: [
      {
        data: { values: rows },
        mark: { type: 'bar', color: b.barColor },
        encoding: { y: { field: 'label', type: 'nominal', sort: { field: 'rank' }, title: null, axis: { labelLimit: 260 } }, x, x2: { datum: lo - pad } },
      },
      {
        data: { values: b.refs.map(({ label, accuracy }) => ({ label, accuracy })) },
        mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 2 },
        encoding: { x, color: { field: 'label', type: 'nominal', title: null, scale: { range: b.refs.map((r) => r.color) } } },
      },
    ],
  };
}

/** The sensitivity profile: accuracy with each layer left in float, most sensitive first, against the PTQ and float accuracy. */
export function sensitivitySpec(s: Summary): TopLevelSpec | null {
  if (!s.sensitivity || !s.best) return null;
  return accuracyBarsSpec({
    title: 'Sensitivity profile',
    subtitle: `PTQ ${s.best} with one layer's quantizers disabled at a time; most sensitive first`,
    rows: s.sensitivity.map((r) => ({ label: r.layer, accuracy: r.accuracy })),
    refs: [{ label: `PTQ ${s.best}`, accuracy: s.ptq[s.best]!.accuracy, color: '#d62728' }, { label: 'float', accuracy: s.float.accuracy, color: '#2ca02c' }],
    xTitle: 'val accuracy with the layer in float',
    barColor: '#1f77b4',
    rowHeight: 14,
    minHeight: 120,
  });
}

/** --quant-config accuracies as bars against the float accuracy. */
export function presetsSpec(s: Summary): TopLevelSpec | null {
  const results = Object.entries(s.quantConfigs?.results ?? {});
  if (results.length === 0) return null;
  return accuracyBarsSpec({
    title: 'ModelOpt-style configs',
    subtitle: 'quantize(model, config, forwardLoop) on the float model, the same calibration batches',
    rows: results.map(([name, r]) => ({ label: `${name} (${r.algorithm})`, accuracy: r.accuracy })),
    refs: [{ label: 'float', accuracy: s.float.accuracy, color: '#2ca02c' }],
    xTitle: 'val accuracy',
    barColor: '#9467bd',
    rowHeight: 18,
    minHeight: 100,
  });
}

function accuracySection(s: Summary): string {
  const rows = tableRows(s).map((r) => [escapeHtml(r.stage), formatPercent(r.accuracy), formatDelta(r.deltaPoints)]);
  const table = htmlTable(['stage', 'val accuracy', 'vs float (points)'], rows);
  const notes: string[] = [];
  if (s.calibration) {
    notes.push(`Calibrated on ${s.calibration.images.toLocaleString('en-US')} training images (${s.calibration.batches} batches); ` +
      `${s.best ? `the best method, <code>${escapeHtml(s.best)}</code>, is kept for what follows.` : 'no method was evaluated.'}`);
  } else notes.push('No calibration in this run (--num-calib-batch 0).');
  if (s.finetune) {
    const from = s.ptq[s.finetune.from]!;
    notes.push(`QAT fine-tunes the ${escapeHtml(s.finetune.from)} model for ${s.finetune.history.length} epoch(s) with its amax fixed: ` +
      `${formatPercent(s.finetune.accuracy)}, ${formatDelta((s.finetune.accuracy - from.accuracy) * 100)} points against its PTQ accuracy.`);
  }
  return `${table}\n${notes.map((n) => `<p>${n}</p>`).join('\n')}`;
}

function sensitivityTable(s: Summary): string {
  if (!s.sensitivity || !s.best) return '<p class="muted">No sensitivity profile in this run (--sensitivity).</p>';
  const base = s.ptq[s.best]!.accuracy;
  return htmlTable(
    ['layer left in float', 'quantizers', 'val accuracy', `vs PTQ ${escapeHtml(s.best)} (points)`],
    s.sensitivity.map((r) => [`<code>${escapeHtml(r.layer)}</code>`, String(r.quantizers), formatPercent(r.accuracy), formatDelta((r.accuracy - base) * 100)]),
  );
}

function amaxTable(s: Summary): string {
  const methods = Object.keys(s.ptq);
  if (methods.length === 0) return '';
  const names = [...new Set(methods.flatMap((m) => Object.keys(s.ptq[m]!.amax)))];
  return htmlTable(
    ['quantizer', ...methods.map(escapeHtml)],
    names.map((n) => [`<code>${escapeHtml(n.replace(/\._amax$/, ''))}</code>`, ...methods.map((m) => s.ptq[m]!.amax[n]?.[0]?.toPrecision(5) ?? '')]),
  );
}

/** The quantizers whose histograms are drawn: inputs of the most sensitive layers first, then model order. */
function pickHistograms(s: Summary, histograms: readonly CalibHistogram[]): CalibHistogram[] {
  const order = s.sensitivity?.map((r) => r.layer) ?? [];
  const rank = (h: CalibHistogram): number => {
    const i = order.findIndex((layer) => h.quantizer === layer || h.quantizer === `${layer}._input_quantizer`);
    return i < 0 ? order.length : i;
  };
  return histograms
    .filter((h) => !h.quantizer.endsWith('_weight_quantizer'))
    .map((h, i) => ({ h, i }))
    .sort((a, b) => rank(a.h) - rank(b.h) || a.i - b.i)
    .slice(0, MAX_HISTOGRAMS)
    .map(({ h }) => h);
}

function presetsSection(s: Summary): string {
  const q = s.quantConfigs;
  if (!q) return '<p class="muted">No ModelOpt-style configs in this run (--quant-config).</p>';
  const table = htmlTable(
    ['config', 'what it quantizes', 'algorithm', 'val accuracy', 'vs float (points)', 'ONNX Runtime (argmax agreement)'],
    Object.entries(q.results).map(([name, r]) => [
      `<code>${escapeHtml(name)}</code>`, escapeHtml(r.what), escapeHtml(r.algorithm), formatPercent(r.accuracy), formatDelta((r.accuracy - s.float.accuracy) * 100),
      r.onnx ? `${formatPercent(r.onnx.accuracy)} (${formatPercent(r.onnx.argmaxAgreement)})` : '',
    ]),
  );
  const awq = q.rtnVsAwq.length === 0 ? '' : htmlTable(
    ['weights', 'round to nearest', 'AWQ-lite', 'AWQ vs RTN (points)'],
    q.rtnVsAwq.map((c) => [`${c.bits}-bit, blocks of 128`, formatPercent(c.rtn), formatPercent(c.awq), formatDelta((c.awq - c.rtn) * 100)]),
  );
  return `<p>Each config starts from the trained float weights in a float copy of the model, calibrated on the same ${q.images.toLocaleString('en-US')} training images as PTQ above.${
    Object.values(q.results).some((r) => r.onnx) ? ` ONNX files are opset ${PRESET_OPSET}: INT4 weights with a block-wise <code>DequantizeLinear</code>, FP8 as standard <code>QuantizeLinear</code> / <code>DequantizeLinear</code>.` : ''
  }</p>\n${table}${awq ? `\n<h3>Round to nearest against AWQ</h3>\n${awq}` : ''}`;
}

function onnxSection(s: Summary): string {
  if (!s.onnx) return '<p class="muted">No ONNX export in this run (--evaluate-onnx).</p>';
  const o = s.onnx;
  return (
    `<p><code>${escapeHtml(o.file)}</code> (QuantizeLinear/DequantizeLinear pairs) in ONNX Runtime at <code>graphOptimizationLevel: 'basic'</code>, ` +
    `which keeps them: val accuracy ${formatPercent(o.accuracy)}; against pq's forward, max |difference| ${o.maxAbsDiff.toExponential(2)}, ` +
    `argmax agreement ${formatPercent(o.argmaxAgreement)}, ${o.differingImages.toLocaleString('en-US')} image(s) differing by more than 1e-4. ` +
    `Both compute the same float32 graph but sum convolutions in other orders; a value before a quantizer that sits on a rounding boundary ` +
    `can round to the neighbouring level on one side, one quantization step apart.</p>`
  );
}

export async function renderReport(input: ReportInput): Promise<string> {
  const s = input.summary;
  const curves = trainingCurvesSpec({
    float: s.float.history, qat: s.finetune?.history ?? [], qatLabel: s.finetune ? `QAT (from ${s.finetune.from})` : 'QAT', lossTitle: 'cross-entropy',
  });
  const sens = sensitivitySpec(s);
  const presets = presetsSpec(s);
  const shown = pickHistograms(s, input.histograms);
  const hist: string[] = [];
  for (const h of shown) hist.push(`<figure>${await renderSvg(histogramSpec(h, amaxByMethod(s.ptq, h.quantizer)))}</figure>`);
  const inputCount = input.histograms.filter((h) => !h.quantizer.endsWith('_weight_quantizer')).length;
  return htmlPage(`pq classify report: ${s.model}`, `<h1>pq classify: ${escapeHtml(s.model)}, PTQ and QAT</h1>
<p class="muted">${escapeHtml(s.data.source)}: ${s.data.train.toLocaleString('en-US')} training / ${s.data.val.toLocaleString('en-US')} validation images, ${s.data.classes} classes, ${s.data.imageSize}x${s.data.imageSize}${
    input.command ? ` &middot; <code>${escapeHtml(input.command)}</code>` : ''
  }</p>
${warningsBox(s.warnings)}
<h2>Accuracy</h2>
${accuracySection(s)}
<h2>ModelOpt-style configs</h2>
${presets ? `<figure>${await renderSvg(presets)}</figure>` : ''}
${presetsSection(s)}
<h2>Training curves</h2>
${curves ? `<figure>${await renderSvg(curves)}</figure>` : '<p class="muted">No training epochs in this run.</p>'}
<h2>Sensitivity</h2>
${sens ? `<figure>${await renderSvg(sens)}</figure>` : ''}
${sensitivityTable(s)}
<h2>Calibration</h2>
${hist.length ? `<p class="muted">${shown.length} of ${inputCount} activation histograms${s.sensitivity ? ', the most sensitive layers first' : ''}.</p>\n${hist.join('\n')}` : '<p class="muted">No histogram calibration in this run.</p>'}
<h3>amax of each per-tensor quantizer by method</h3>
${amaxTable(s)}
<h2>ONNX</h2>
${onnxSection(s)}`);
}
