// report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the
// summary table, the training curves and each input quantizer's calibration histogram.
import { ONNX_DIFF_TOLERANCE, formatDelta, formatPercent } from '@pq/app-kit';
import {
  type CalibHistogram, amaxByMethod, clippedShare, escapeHtml, fullestBin, groupCoinciding, histogramSpec, htmlPage, renderSvg,
  trainingCurvesSpec, warningsBox,
} from '@pq/app-kit/report';
import { type PtqResult, type Summary, tableRows } from '../summary.js';

export interface ReportInput {
  summary: Summary;
  /** One per input quantizer calibrated with a histogram (percentile / mse / entropy). */
  histograms: CalibHistogram[];
  /** Shown in the header, e.g. the command line. */
  command?: string;
}

function summaryTable(s: Summary): string {
  const body = tableRows(s)
    .map((r) => `<tr><td>${escapeHtml(r.model)}</td><td>${formatPercent(r.accuracy)}</td><td>${formatDelta(r.deltaPoints)}</td></tr>`)
    .join('\n');
  return `<table><thead><tr><th>model</th><th>test accuracy</th><th>vs float (points)</th></tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

function amaxTable(s: Summary): string {
  const methods = Object.keys(s.ptq);
  if (methods.length === 0) return '';
  const names = [...new Set(methods.flatMap((m) => Object.keys(s.ptq[m as keyof typeof s.ptq]!.amax)))];
  const cell = (v: number[] | undefined): string =>
    v === undefined ? '' : v.length === 1 ? v[0]!.toPrecision(6) : `${v.length} values, max ${Math.max(...v).toPrecision(6)}`;
  const rows = names
    .map((n) => `<tr><td><code>${escapeHtml(n)}</code></td>${methods.map((m) => `<td>${cell(s.ptq[m as keyof typeof s.ptq]!.amax[n])}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr><th>quantizer</th>${methods.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows}\n</tbody></table>`;
}

/** A PTQ drop of more than this many points gets a sentence explaining it. */
export const NOTABLE_DROP_POINTS = 1;

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`;
const num = (x: number): string => x.toPrecision(3);

/** Why a method lost accuracy: the input quantizer its amax clips hardest, from the histograms. */
function dropSentences(s: Summary, histograms: readonly CalibHistogram[]): string[] {
  const out: string[] = [];
  for (const [method, r] of Object.entries(s.ptq) as [string, PtqResult][]) {
    const drop = (s.float.accuracy - r.accuracy) * 100;
    if (drop <= NOTABLE_DROP_POINTS) continue;
    const clips: string[] = [];
    for (const h of histograms) {
      const amax = r.amax[`${h.quantizer}._amax`]?.[0];
      if (amax === undefined) continue;
      const clipped = clippedShare(h, amax);
      const top = h.edges[h.counts.length]!;
      if (clipped >= 0.01) {
        clips.push(`<code>${escapeHtml(h.quantizer)}</code> at ${num(amax)} (${pct(amax / top)} of the largest |x| seen, ${num(top)}) clips ${pct(clipped)} of its calibration values`);
      }
    }
    if (clips.length === 0) continue;
    out.push(`PTQ ${escapeHtml(method)} loses ${drop.toFixed(2)} points: its amax ${clips.join('; ')} (see the histograms below).`);
  }
  return out;
}

function qatSentence(s: Summary): string {
  if (!s.qat) return '';
  const from = s.ptq[s.qat.from];
  const vsPtq = from ? `, ${formatDelta((s.qat.accuracy - from.accuracy) * 100)} points against PTQ ${escapeHtml(s.qat.from)}` : '';
  const epochs = s.qat.history.length;
  return (
    `QAT fine-tunes the ${escapeHtml(s.qat.from)}-calibrated model for ${epochs} epoch${epochs === 1 ? '' : 's'} with its amax fixed: ` +
    `${formatPercent(s.qat.accuracy)}${vsPtq}, ${formatDelta((s.qat.accuracy - s.float.accuracy) * 100)} against float ` +
    `(in the curves below, after the float epochs).`
  );
}

/** One sentence per histogram: its fullest bin, and what each method's amax clips. */
function histogramSentence(h: CalibHistogram, rules: { method: string; amax: number }[]): string {
  const full = fullestBin(h);
  const top = h.edges[h.counts.length]!;
  const groups = groupCoinciding(rules, top - h.edges[0]!);
  const spike = full.share >= 0.05
    ? `The fullest bin, |x| in [${full.lo.toPrecision(4)}, ${full.hi.toPrecision(4)}), holds ${pct(full.share)} of the values. `
    : '';
  const same = groups.filter((g) => g.methods.length > 1).map((g) => `${g.methods.join(', ')} chose the same amax (${num(g.amax)}), so their lines coincide. `);
  const clipped = groups.map((g) => `${g.methods.join(' = ')} ${num(g.amax)} clips ${pct(clippedShare(h, g.amax))}`).join('; ');
  return `<p>${spike}${same.join('')}Values above each amax (clipped): ${clipped}.</p>`;
}

function onnxSection(s: Summary): string {
  if (!s.onnx) return '<p>No ONNX export in this run.</p>';
  const o = s.onnx;
  const amax = s.qat ? s.ptq[s.qat.from]?.amax : undefined;
  const steps = Object.entries(amax ?? {})
    .filter(([k]) => k.endsWith('._input_quantizer._amax'))
    .map(([k, v]) => `${escapeHtml(k.replace('._input_quantizer._amax', ''))} ${num(v[0]! / 127)}`);
  return (
    `<p><code>${escapeHtml(o.file)}</code> in ONNX Runtime against pq's forward on the ${s.data.test.toLocaleString('en-US')} test ` +
    `images: max |onnxruntime &minus; pq| = ${o.maxAbsDiff.toExponential(2)} (log-probabilities), argmax agreement ` +
    `${formatPercent(o.argmaxAgreement)}; ${o.differingImages.toLocaleString('en-US')} image${o.differingImages === 1 ? '' : 's'} ` +
    `differ by more than ${ONNX_DIFF_TOLERANCE.toExponential(0)}.</p>\n` +
    `<p>Both run the same float32 graph with the same QuantizeLinear/DequantizeLinear pairs (ONNX Runtime at ` +
    `<code>graphOptimizationLevel: 'basic'</code>, which keeps them), but sum convolutions and matrix products in other ` +
    `orders, which alone moves an output by about 1e-6. Where a value before a quantizer sits that close to a rounding ` +
    `boundary, the two round it to neighbouring levels, one quantization step apart` +
    `${steps.length ? ` (one step of each layer's input: ${steps.join(', ')})` : ''}, and the step propagates to the ` +
    `log-probabilities of that image: that is the larger difference, in a few images only.</p>`
  );
}

export async function renderReport(input: ReportInput): Promise<string> {
  const s = input.summary;
  const curves = trainingCurvesSpec({ float: s.float.history, qat: s.qat?.history ?? [], qatLabel: s.qat ? `QAT (from ${s.qat.from})` : 'QAT' });
  const curvesSvg = curves ? await renderSvg(curves) : '<p class="muted">No training epochs in this run.</p>';
  const histSvgs: string[] = [];
  for (const h of input.histograms) {
    const rules = amaxByMethod(s.ptq, h.quantizer);
    histSvgs.push(`<figure>${await renderSvg(histogramSpec(h, rules))}</figure>\n${histogramSentence(h, rules)}`);
  }
  const notes = [...dropSentences(s, input.histograms), qatSentence(s)].filter((t) => t !== '');
  return htmlPage('pq LeNet report', `<h1>pq LeNet: float, PTQ and QAT on MNIST</h1>
<p class="muted">${escapeHtml(s.data.source)}: ${s.data.train} training / ${s.data.test} test samples${
    input.command ? ` &middot; <code>${escapeHtml(input.command)}</code>` : ''
  }</p>
${warningsBox(s.warnings)}
<h2>Accuracy</h2>
${summaryTable(s)}
${notes.map((t) => `<p>${t}</p>`).join('\n')}
<h2>Training curves</h2>
<figure>${curvesSvg}</figure>
<h2>Calibration</h2>
${histSvgs.length ? histSvgs.join('\n') : '<p class="muted">No histogram calibration in this run.</p>'}
<h3>amax by quantizer and method</h3>
${amaxTable(s)}
<h2>ONNX</h2>
${onnxSection(s)}`);
}
