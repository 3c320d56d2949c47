// Rendering for the apps' report.html: Vega-Lite specs to inline SVG strings by vega's headless
// View (renderer 'none' + toSVG(): no DOM, no canvas, no browser), HTML escaping and the page.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Renders a Vega-Lite spec to a standalone SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .7em;text-align:right}
td:first-child,th:first-child{text-align:left}figure{margin:1em 0 .3em}code{font-size:.9em}.muted{color:#666}
.warn{border:1px solid #d62728;background:#fff4f4;padding:.3em 1em;margin:1em 0}p{max-width:900px;line-height:1.4}`;

/** A self-contained page (inline CSS, no scripts, no network) around `body`, titled `title` (plain text). */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${body}
</body></html>
`;
}

/** A warnings box, or nothing when there are none. */
export function warningsBox(warnings: readonly string[]): string {
  if (warnings.length === 0) return '';
  return `<div class="warn"><strong>Warnings</strong><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>`;
}

/** An HTML table; cells are HTML already (escape text with escapeHtml). */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = header.map((h) => `<th>${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}
