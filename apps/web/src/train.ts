// The training loop of the CLI's pipeline (apps/lenet), one step at a time with the page
// yielding between steps: seeded epoch order, SGD with momentum, per-step learning rate, test
// accuracy a few times per epoch for the live charts.
import {
  EpochShuffler, type MnistData, type TrainableModel, accuracy, gather,
} from '@pq/lenet-app/browser';
import { yieldToPage } from './yield.js';

export type Phase = 'float' | 'QAT';

export interface StepReport {
  phase: Phase;
  epoch: number;
  /** Steps done in this phase, and their total. */
  step: number;
  steps: number;
  loss: number;
  samplesPerSec: number;
}

export interface EvalReport {
  phase: Phase;
  /** Epochs done, fractional (0.25, 0.5, ...). */
  at: number;
  accuracy: number;
}

export interface TrainHooks {
  onStep(r: StepReport): void;
  onEval(r: EvalReport): void;
}

/** Test-accuracy points per epoch on the live chart. */
export const EVALS_PER_EPOCH = 4;

/** Trains `model` for `epochs` epochs; returns the final test accuracy. */
export async function trainEpochs(
  model: TrainableModel, phase: Phase, epochs: number, batchSize: number, lrAt: (step: number, total: number) => number,
  shuffler: EpochShuffler, data: MnistData, hooks: TrainHooks,
): Promise<number> {
  const { train, test } = data;
  const perEpoch = Math.ceil(train.count / batchSize);
  const steps = epochs * perEpoch;
  const evalEvery = Math.max(1, Math.round(perEpoch / EVALS_PER_EPOCH));
  let step = 0;
  let samples = 0;
  let ms = 0;
  let last = Number.NaN;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = shuffler.nextEpoch();
    for (let start = 0, k = 0; start < train.count; start += batchSize, k++) {
      const batch = gather(train, order.subarray(start, Math.min(train.count, start + batchSize)));
      const t0 = performance.now();
      const loss = model.trainStep(batch, lrAt(step++, steps));
      ms += performance.now() - t0;
      samples += batch.count;
      if (!Number.isFinite(loss)) throw new Error(`${phase} epoch ${epoch}: the loss became ${loss}; try a smaller ?lr`);
      hooks.onStep({ phase, epoch, step, steps, loss, samplesPerSec: (samples * 1000) / Math.max(ms, 1e-3) });
      const endOfEpoch = start + batchSize >= train.count;
      if (endOfEpoch || (k + 1) % evalEvery === 0) {
        last = accuracy((b) => model.predict(b), test);
        hooks.onEval({ phase, at: epoch - 1 + (k + 1) / perEpoch, accuracy: last });
      }
      await yieldToPage();
    }
  }
  return Number.isNaN(last) ? accuracy((b) => model.predict(b), test) : last;
}
