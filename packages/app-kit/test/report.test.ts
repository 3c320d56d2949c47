import { describe, expect, it } from 'vitest';
import { amaxByMethod, histogramPoints, histogramSpec, methodColor, renderSvg, trainingCurvesSpec } from '../src/report/index.js';

const bins = 2048;
const edges = Float64Array.from({ length: bins + 1 }, (_, i) => (2.9 * i) / bins);
const counts = Float64Array.from({ length: bins }, (_, i) => Math.round(1e5 * Math.exp(-i / 60)));
const h = { quantizer: 'conv1._input_quantizer', edges, counts };

describe('report charts', () => {
  it('merges histogram bins to at most 512 points, keeping the total count', () => {
    const pts = histogramPoints(h);
    expect(pts.length).toBe(512);
    const total = Array.from(counts).reduce((a, b) => a + b, 0);
    expect(pts.reduce((a, p) => a + p.count, 0)).toBe(total);
    expect(pts[0]!.x).toBeCloseTo((edges[0]! + edges[4]!) / 2, 12);
    expect(() => histogramPoints({ quantizer: 'q', edges: [0, 1], counts: [1, 2] })).toThrow(/histogram q: 2 edges for 2 bins/);
  });

  it("reads each method's amax of a quantizer (the largest of its values)", () => {
    const byMethod = { max: { amax: { 'conv1._input_quantizer._amax': [2.82] } }, mse: { amax: { 'conv1._input_quantizer._amax': [1, 2.1] } }, none: undefined };
    expect(amaxByMethod(byMethod, 'conv1._input_quantizer')).toEqual([{ method: 'max', amax: 2.82 }, { method: 'mse', amax: 2.1 }]);
    expect(amaxByMethod(byMethod, 'fc._input_quantizer')).toEqual([]);
  });

  it('colours the known methods as before and the others by position', () => {
    expect(methodColor('max', 5)).toBe('#d62728');
    expect(methodColor('percentile-99.9', 0)).not.toBe(methodColor('percentile-99.99', 1));
  });

  it('renders vega-lite to SVG headlessly, histograms and training curves included', async () => {
    const svg = await renderSvg({
      data: { values: [{ a: 1, b: 2 }, { a: 2, b: 5 }] },
      mark: 'line',
      encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
    const hist = await renderSvg(histogramSpec(h, [{ method: 'max', amax: 2.9 }, { method: 'percentile-99.9', amax: 1.2 }]));
    expect(hist).toContain('>percentile-99.9</text>');
    const curves = trainingCurvesSpec({
      float: [{ epoch: 1, trainLoss: 1, testAccuracy: 0.9 }], qat: [{ epoch: 1, trainLoss: 0.5, testAccuracy: 0.95 }], qatLabel: 'QAT (from max)', lossTitle: 'cross-entropy',
    });
    const curvesSvg = await renderSvg(curves!);
    for (const text of ['>QAT 1</text>', '>QAT (from max)</text>', '>cross-entropy</text>']) expect(curvesSvg).toContain(text);
    expect(trainingCurvesSpec({ float: [], qat: [], qatLabel: 'QAT' })).toBeNull();
  });
});
