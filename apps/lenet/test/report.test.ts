import { describe, expect, it } from 'vitest';
import { binsIn, clippedShare, countTicks, escapeHtml, fullestBin, groupCoinciding } from '@pq/app-kit/report';
import { renderReport } from '../src/report/html.js';
import { syntheticHistograms, syntheticSummary } from './synthetic.js';

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

describe('report.html makes the surprising numbers visible', () => {
  // conv1 as MNIST gives it: 80% of |x| in one bin (the background pixels), max at 2.82.
  const bins = 2048;
  const top = 2.82;
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => (top * i) / bins);
  const counts = new Float64Array(bins).fill(10);
  const spike = 308; // the bin of |x| = 0.4242
  counts[spike] = 80000;
  const conv1 = { quantizer: 'conv1._input_quantizer', edges, counts };

  it('labels coinciding amax lines together and zooms on the bins around each amax', async () => {
    const rules = [{ method: 'max', amax: 2.82 }, { method: 'percentile', amax: 2.8201 }, { method: 'mse', amax: 2.82 }, { method: 'entropy', amax: edges[spike + 1]! }];
    const groups = groupCoinciding(rules, top);
    expect(groups.map((g) => g.label)).toEqual(['entropy  0.4255', 'max = mse = percentile  2.820-2.820']);
    expect(fullestBin(conv1)).toEqual({ lo: edges[spike]!, hi: edges[spike + 1]!, share: 80000 / (80000 + 10 * 2047) });
    expect(clippedShare(conv1, edges[spike + 1]!)).toBeCloseTo((10 * (bins - spike - 1)) / (80000 + 10 * 2047), 12);
    // The zoom panel holds the histogram's own bins, the one-bin spike among them.
    const zoom = binsIn(conv1, edges[spike]! - 0.01, edges[spike]! + 0.01);
    expect(zoom.length).toBeLessThan(20);
    expect(zoom.map((b) => b.count)).toContain(80000);
    expect(countTicks(80000)).toEqual([0, 1, 10, 100, 1000, 10000, 100000]);

    const s = syntheticSummary();
    for (const r of rules) s.ptq[r.method as 'max']!.amax['conv1._input_quantizer._amax'] = [r.amax];
    s.ptq.entropy!.accuracy = 0.86;
    s.warnings = ['float epoch 1: mean training loss 8.56e+7 is above 4.61'];
    const html = await renderReport({ summary: s, histograms: [conv1] });
    expect(html).toContain('>max = mse = percentile  2.820-2.820</text>');
    expect(html).toContain('>around entropy  0.4255</text>');
    expect(html).toContain('max, mse, percentile chose the same amax (2.82), so their lines coincide.');
    expect(html).toContain(`The fullest bin, |x| in [${edges[spike]!.toPrecision(4)}, ${edges[spike + 1]!.toPrecision(4)}), holds 79.6% of the values.`);
    expect(html).toMatch(/PTQ entropy loses 11\.90 points: its amax <code>conv1\._input_quantizer<\/code> at 0\.425 \(15\.1% of the largest \|x\| seen, 2\.82\) clips 17\.3% of its calibration values/);
    expect(html).not.toContain('>0k</text>'); // each count label formatted alone
    expect(html).toContain('>QAT 1</text>');
    expect(html).toContain('QAT starts');
    expect(html).toContain('QAT fine-tunes the percentile-calibrated model for 1 epoch with its amax fixed: 97.90%, +0.10 points against PTQ percentile');
    expect(html).toContain('3 images differ by more than 1e-4');
    expect(html).toContain('one quantization step apart (one step of each layer\'s input: conv1 0.0222, fc2 0.0591)');
    expect(html).toContain('<strong>Warnings</strong><ul><li>float epoch 1: mean training loss 8.56e+7 is above 4.61</li></ul>');
  });
});

