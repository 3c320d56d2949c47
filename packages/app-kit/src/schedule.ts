// Learning-rate schedules shared by the apps.

/**
 * Cosine annealing (PyTorch's CosineAnnealingLR): step t of `total` gets
 * `min + (max - min) * (1 + cos(pi * t / total)) / 2`; `max` when there are no steps.
 */
export function cosineLr(max: number, min: number, step: number, total: number): number {
  if (total <= 0) return max;
  return min + ((max - min) * (1 + Math.cos((Math.PI * step) / total))) / 2;
}
