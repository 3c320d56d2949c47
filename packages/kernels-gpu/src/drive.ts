import type { KernelStep, Plan } from './plans/step.js';

/** Runs a plan with a synchronous kernel runner. */
export function runSync<T>(plan: Plan<T>, run: (step: KernelStep) => Float32Array): T {
  let next = plan.next();
  while (!next.done) next = plan.next(run(next.value));
  return next.value;
}

/** Runs a plan with a runner that may return promises (WebGPU readback is asynchronous). */
export async function runAsync<T>(
  plan: Plan<T>, run: (step: KernelStep) => Float32Array | Promise<Float32Array>,
): Promise<T> {
  let next = plan.next();
  while (!next.done) next = plan.next(await run(next.value));
  return next.value;
}
