import { describe, expect, it } from 'vitest';
import { formatDelta, withoutTimings } from '@pq/app-kit';
import { formatSummaryTable, summaryJson, tableRows } from '../src/summary.js';
import { syntheticSummary } from './synthetic.js';

describe('summary', () => {
  it('has the issue shape and round-trips through JSON', () => {
    const s = syntheticSummary();
    const parsed = JSON.parse(summaryJson(s)) as typeof s;
    expect(parsed).toEqual(s);
    expect(Object.keys(parsed)).toEqual(['data', 'float', 'ptq', 'qat', 'onnx', 'warnings', 'timing']);
    expect(parsed.ptq.max!.amax['conv1._weight_quantizer._amax']).toHaveLength(10);
  });

  it('keeps every throughput figure in the last block, timing, so the bytes before it are the run\'s result', () => {
    const a = syntheticSummary();
    const b = syntheticSummary();
    b.timing.float!.trainSamplesPerSec = 1;
    b.timing.float!.epochSamplesPerSec[0] = 1;
    b.timing.qat = null;
    const before = (s: typeof a) => summaryJson(s).split('\n  "timing": ')[0]!;
    expect(before(a)).toBe(before(b));
    expect(summaryJson(a)).not.toBe(summaryJson(b));
    expect(before(a)).not.toMatch(/PerSec/);
    expect(withoutTimings(a)).toEqual(withoutTimings(b));
    b.ptq.mse!.accuracy = 0.5;
    expect(withoutTimings(a)).not.toEqual(withoutTimings(b));
  });

  it('tabulates accuracy and the change vs float in points', () => {
    const rows = tableRows(syntheticSummary());
    expect(rows.map((r) => r.model)).toEqual(['float', 'PTQ max', 'PTQ percentile', 'PTQ mse', 'PTQ entropy', 'QAT (from percentile)']);
    expect([formatDelta(null), formatDelta(0.05), formatDelta(-1.9), formatDelta(1e-12)]).toEqual(['', '+0.05', '-1.90', '±0.00']);
    const table = formatSummaryTable(syntheticSummary());
    expect(table).toBe(
      [
        'mnist package: 8,004 train / 1,996 test',
        'model                   test accuracy   vs float (pts)',
        '---------------------   -------------   --------------',
        'float                          97.90%',
        'PTQ max                        97.95%            +0.05',
        'PTQ percentile                 97.80%            -0.10',
        'PTQ mse                        97.70%            -0.20',
        'PTQ entropy                    96.00%            -1.90',
        'QAT (from percentile)          97.90%            ±0.00',
        'ONNX lenet-qat.onnx: max |onnxruntime - pq| 5.40e-2 (3 of 1,996 images differ by more than 1e-4), argmax agreement 100.00%',
        '',
      ].join('\n'),
    );
  });
});
