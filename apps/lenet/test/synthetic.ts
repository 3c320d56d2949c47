// A synthetic summary and calibration histograms for the summary and report tests.
import type { CalibHistogram } from '@pq/app-kit/report';
import type { Summary } from '../src/summary.js';

export function syntheticSummary(): Summary {
  const amax = (input: number) => ({
    'conv1._input_quantizer._amax': [input],
    'conv1._weight_quantizer._amax': Array.from({ length: 10 }, (_, i) => 0.3 + i / 100),
    'fc2._input_quantizer._amax': [input * 3],
  });
  return {
    data: { source: 'mnist package', train: 8004, test: 1996 },
    float: {
      accuracy: 0.979,
      history: [
        { epoch: 1, trainLoss: 0.9, testAccuracy: 0.93 },
        { epoch: 2, trainLoss: 0.3, testAccuracy: 0.979 },
      ],
    },
    ptq: {
      max: { accuracy: 0.9795, amax: amax(2.82) },
      percentile: { accuracy: 0.978, amax: amax(2.5) },
      mse: { accuracy: 0.977, amax: amax(2.1) },
      entropy: { accuracy: 0.96, amax: amax(1.7) },
    },
    qat: { from: 'percentile', accuracy: 0.979, history: [{ epoch: 1, trainLoss: 0.2, testAccuracy: 0.979 }] },
    onnx: { file: 'lenet-qat.onnx', maxAbsDiff: 0.054, differingImages: 3, argmaxAgreement: 1 },
    warnings: [],
    timing: { float: { trainSamplesPerSec: 2500, epochSamplesPerSec: [2400, 2600] }, qat: { trainSamplesPerSec: 2000, epochSamplesPerSec: [2000] } },
  };
}

export function syntheticHistograms(): CalibHistogram[] {
  return ['conv1._input_quantizer', 'fc2._input_quantizer'].map((quantizer, q) => {
    const bins = 2048;
    const top = 2.9 * (q * 2 + 1);
    const edges = Float64Array.from({ length: bins + 1 }, (_, i) => (top * i) / bins);
    const counts = Float64Array.from({ length: bins }, (_, i) => Math.round(1e5 * Math.exp(-i / 60)));
    return { quantizer, edges, counts };
  });
}
