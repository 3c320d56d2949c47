// Learning-rate schedules: constant for float training; for QAT the reference's recipe,
// 1% of the float rate cosine-annealed (per step) down to 1% of that.

import { cosineLr } from '@pq/app-kit';

/** QAT starts at 1% of the float learning rate. */
export const QAT_LR_FACTOR = 0.01;
/** ... and anneals down to 1% of its start. */
export const QAT_FINAL_FACTOR = 0.01;

/** The QAT learning rate of step `step` out of `total`, given the float learning rate. */
export function qatLr(floatLr: number, step: number, total: number): number {
  const start = floatLr * QAT_LR_FACTOR;
  return cosineLr(start, start * QAT_FINAL_FACTOR, step, total);
}
