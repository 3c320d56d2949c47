// report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the
// summary table, the training curves and each input quantizer's calibration histogram.
import { formatDelta, formatPercent, type Summary, tableRows } from '../summary.js';
import { type CalibHistogram, amaxByMethod, histogramSpec, renderSvg, trainingCurvesSpec } from './charts.js';

export interface ReportInput {
  summary: Summary;
  /** One per input quantizer calibrated with a histogram (percentile / mse / entropy). */
  histograms: CalibHistogram[];
  /** Shown in the header, e.g. the command line. */
  command?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
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

function onnxSection(s: Summary): string {
  if (!s.onnx) return '<p>No ONNX export in this run.</p>';
  return (
    `<p><code>${escapeHtml(s.onnx.file)}</code>: max |onnxruntime &minus; pq| = ${s.onnx.maxAbsDiff.toExponential(2)}, ` +
    `argmax agreement ${formatPercent(s.onnx.argmaxAgreement)} on the test set.</p>`
  );
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .7em;text-align:right}
td:first-child,th:first-child{text-align:left}figure{margin:1em 0}code{font-size:.9em}.muted{color:#666}`;

export async function renderReport(input: ReportInput): Promise<string> {
  const s = input.summary;
  const curves = trainingCurvesSpec(s);
  const curvesSvg = curves ? await renderSvg(curves) : '<p class="muted">No training epochs in this run.</p>';
  const histSvgs: string[] = [];
  for (const h of input.histograms) {
    histSvgs.push(`<figure>${await renderSvg(histogramSpec(h, amaxByMethod(s, h.quantizer)))}</figure>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pq LeNet report</title><style>${STYLE}</style></head>
<body>
<h1>pq LeNet: float, PTQ and QAT on MNIST</h1>
<p class="muted">${escapeHtml(s.data.source)}: ${s.data.train} training / ${s.data.test} test samples${
    input.command ? ` &middot; <code>${escapeHtml(input.command)}</code>` : ''
  }</p>
<h2>Accuracy</h2>
${summaryTable(s)}
<h2>Training curves</h2>
<figure>${curvesSvg}</figure>
<h2>Calibration</h2>
${histSvgs.length ? histSvgs.join('\n') : '<p class="muted">No histogram calibration in this run.</p>'}
<h3>amax by quantizer and method</h3>
${amaxTable(s)}
<h2>ONNX</h2>
${onnxSection(s)}
</body></html>
`;
}
