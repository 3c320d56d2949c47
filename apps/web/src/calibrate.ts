// PTQ as the CLI runs it (apps/lenet's pipeline): input quantizers calibrated on every
// calibEvery-th training sample in 64-sample batches, once with max calibrators and once with
// histogram calibrators whose statistics serve percentile (99.99), MSE and entropy; each
// method's test accuracy and amax; the model QAT starts from is kept.
import {
  CALIB_BATCH, CALIB_METHODS, type CalibHistogram, type CalibMethod, type MnistData, type QuantModel, type StateDict,
  accuracy, amaxOf, batchesInOrder, calibrationIndices, gather, lenetModels,
} from '@pq/lenet-app/browser';
import { yieldToPage } from './yield.js';

export interface PtqResult {
  accuracy: number;
  /** Every `._amax` of the calibrated model, by state-dict name. */
  amax: Record<string, number[]>;
}

export interface Calibration {
  results: Record<CalibMethod, PtqResult>;
  histograms: CalibHistogram[];
  /** The model calibrated with `qatFrom`, for QAT (the caller disposes it). */
  qatModel: QuantModel;
  calibSamples: number;
}

export async function calibrateAll(
  floatState: StateDict, data: MnistData, calibEvery: number, seed: number, qatFrom: CalibMethod,
  onMethod: (method: CalibMethod, r: PtqResult) => void,
): Promise<Calibration> {
  const calib = gather(data.train, calibrationIndices(data.train.count, calibEvery));
  if (calib.count === 0) throw new Error(`calibration: no samples (${data.train.count} training samples, every ${calibEvery}th)`);
  const results = {} as Record<CalibMethod, PtqResult>;
  const evaluate = (model: QuantModel, method: CalibMethod): void => {
    model.finishCalibration(method);
    results[method] = { accuracy: accuracy((b) => model.predict(b), data.test), amax: amaxOf(model.stateDict()) };
    onMethod(method, results[method]);
  };
  let qatModel: QuantModel | null = null;
  // Each step below is one task of the page's event loop, with a yield between them.
  const maxModel = lenetModels.createQuant(floatState, 'max', seed);
  maxModel.collect(batchesInOrder(calib, CALIB_BATCH));
  await yieldToPage();
  evaluate(maxModel, 'max');
  if (qatFrom === 'max') qatModel = maxModel;
  else maxModel.dispose();
  await yieldToPage();
  const histModel = lenetModels.createQuant(floatState, 'histogram', seed);
  histModel.collect(batchesInOrder(calib, CALIB_BATCH));
  await yieldToPage();
  const histograms = histModel.histograms();
  for (const method of CALIB_METHODS.filter((m) => m !== 'max')) {
    await yieldToPage();
    evaluate(histModel, method);
  }
  if (qatFrom !== 'max') {
    histModel.finishCalibration(qatFrom); // back to the amax QAT starts from
    qatModel = histModel;
  } else histModel.dispose();
  return { results, histograms, qatModel: qatModel!, calibSamples: calib.count };
}
