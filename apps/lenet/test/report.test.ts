import { describe, expect, it } from 'vitest';
import { amaxByMethod, histogramPoints, renderSvg } from '../src/report/charts.js';
import { escapeHtml, renderReport } from '../src/report/html.js';
import { syntheticHistograms, syntheticSummary } from './synthetic.js';

describe('report charts', () => {
  it('merges histogram bins to at most 512 points, keeping the total count', () => {
    const [h] = syntheticHistograms();
    const pts = histogramPoints(h!);
    expect(pts.length).toBe(512);
    const total = Array.from(h!.counts).reduce((a, b) => a + b, 0);
    expect(pts.reduce((a, p) => a + p.count, 0)).toBe(total);
    expect(pts[0]!.x).toBeCloseTo((h!.edges[0]! + h!.edges[4]!) / 2, 12);
    expect(() => histogramPoints({ quantizer: 'q', edges: [0, 1], counts: [1, 2] })).toThrow(/histogram q: 2 edges for 2 bins/);
  });

  it('reads each method\'s amax of a quantizer from the summary', () => {
    expect(amaxByMethod(syntheticSummary(), 'conv1._input_quantizer')).toEqual([
      { method: 'max', amax: 2.82 },
      { method: 'percentile', amax: 2.5 },
      { method: 'mse', amax: 2.1 },
      { method: 'entropy', amax: 1.7 },
    ]);
  });

  it('renders vega-lite to SVG headlessly', async () => {
    const svg = await renderSvg({
      data: { values: [{ a: 1, b: 2 }, { a: 2, b: 5 }] },
      mark: 'line',
      encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
  });
});

describe('report.html', () => {
  it('is one self-contained page with the table, curves and a histogram per input quantizer', async () => {
    const html = await renderReport({ summary: syntheticSummary(), histograms: syntheticHistograms(), command: 'pnpm lenet --seed <0>' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html.match(/<svg/g)!.length).toBe(3);
    for (const text of ['PTQ entropy', '96.00%', '-1.90', 'QAT (from percentile)', 'conv1._input_quantizer', 'fc2._input_quantizer',
      'training loss', 'test accuracy after each epoch', 'amax by method', 'lenet-qat.onnx', 'pnpm lenet --seed &lt;0&gt;']) {
      expect(html).toContain(text);
    }
    // The four methods' amax rules are drawn in each histogram (one legend entry per method).
    for (const m of ['max', 'percentile', 'mse', 'entropy']) expect(html).toContain(`>${m}</text>`);
  });

  it('renders without training epochs, histograms or ONNX', async () => {
    const s = syntheticSummary();
    s.float.history = [];
    s.qat = null;
    s.onnx = null;
    s.ptq = { max: s.ptq.max! };
    const html = await renderReport({ summary: s, histograms: [] });
    expect(html).toContain('No training epochs in this run.');
    expect(html).toContain('No histogram calibration in this run.');
    expect(html).toContain('No ONNX export in this run.');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
