// Learning-rate schedules shared by the apps.

/**
 * Cosine annealing (PyTorch's CosineAnnealingLR): step t of `total` gets
 * `min + (max - min) * (1 + cos(pi * t / total)) / 2`; `max` when there are no steps.
 */
export function cosineLr(max: number, min: number, step: number, total: number): number {
  if (total <= 0) return max;
  return min + ((max - min) * (1 + Math.cos((Math.PI * step) / total))) / 2;
}

/**
 * A linear warm-up over the first `warmup` steps (step s gets `max * (s + 1) / warmup`), then
 * cosine annealing from `max` to `min` over the remaining steps.
 */
export function warmupCosineLr(max: number, min: number, step: number, total: number, warmup: number): number {
  if (step < warmup) return (max * (step + 1)) / warmup;
  return cosineLr(max, min, step - warmup, total - warmup);
}
