// The run without its page: float training, PTQ with the four methods, QAT — the CLI's order
// and schedules (apps/lenet's pipeline). The page shows each step through the hooks; the
// end-to-end test runs this same code on Node to check that Chromium computed what Node does.
import { type CalibMethod, EpochShuffler, type MnistData, type QuantModel, type TrainableModel, lenetModels, qatLr } from '@pq/lenet-app/browser';
import { type Calibration, type PtqResult, calibrateAll } from './calibrate.js';
import type { RunConfig } from './config.js';
import { type EvalReport, type StepReport, trainEpochs } from './train.js';
import { yieldToPage } from './yield.js';

export type FlowConfig = Pick<RunConfig, 'epochs' | 'qatEpochs' | 'batchSize' | 'lr' | 'seed' | 'calibEvery' | 'qatFrom'>;

export interface FlowHooks {
  phase?(what: string): void;
  onStep?(r: StepReport): void;
  onEval?(r: EvalReport): void;
  onMethod?(method: CalibMethod, r: PtqResult): void;
  onFloat?(accuracy: number): void;
  /** After PTQ, before QAT (awaited: the page draws the histograms). */
  onCalibrated?(c: Calibration): Promise<void>;
}

export interface FlowResult {
  float: TrainableModel;
  floatAccuracy: number;
  calibration: Calibration;
  /** The QAT model (the calibration's qatModel, fine-tuned). */
  qat: QuantModel;
  qatAccuracy: number;
}

export async function trainCalibrateQat(cfg: FlowConfig, data: MnistData, hooks: FlowHooks = {}): Promise<FlowResult> {
  const shuffler = new EpochShuffler(cfg.seed, data.train.count);
  const train = { onStep: (r: StepReport) => hooks.onStep?.(r), onEval: (r: EvalReport) => hooks.onEval?.(r) };
  hooks.phase?.('training the float model…');
  const float = lenetModels.createFloat(cfg.seed, null);
  const floatAccuracy = await trainEpochs(float, 'float', cfg.epochs, cfg.batchSize, () => cfg.lr, shuffler, data, train);
  hooks.onFloat?.(floatAccuracy);
  hooks.phase?.('calibrating (max, percentile, MSE, entropy)…');
  await yieldToPage();
  const calibration = await calibrateAll(float.stateDict(), data, cfg.calibEvery, cfg.seed, cfg.qatFrom, (m, r) => hooks.onMethod?.(m, r));
  await hooks.onCalibrated?.(calibration);
  hooks.phase?.(`QAT from ${cfg.qatFrom}…`);
  const qat = calibration.qatModel;
  const qatAccuracy = cfg.qatEpochs > 0
    ? await trainEpochs(qat, 'QAT', cfg.qatEpochs, cfg.batchSize, (s, total) => qatLr(cfg.lr, s, total), shuffler, data, train)
    : calibration.results[cfg.qatFrom].accuracy;
  return { float, floatAccuracy, calibration, qat, qatAccuracy };
}
