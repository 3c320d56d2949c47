// PqRunningStats on the backends whose data JS can see (cpu, wasm): batch norm's two running
// statistics in one pass over [C] values, where the tfjs ops take six kernels (each a dispatch
// and an allocation, which is all their cost at these sizes). Every product and sum is rounded to
// float32 as those ops round it.
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { allocOutput, readView } from '../../accel/data_access.js';
import { PqRunningStats, type RunningStatsAttrs } from '../kernel_names.js';

type KernelArgs = { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap };

export function runningStatsKernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const t = inputs as { runningMean: TensorInfo; runningVar: TensorInfo; mean: TensorInfo; variance: TensorInfo };
  const { momentum, unbias } = attrs as unknown as RunningStatsAttrs;
  const meanOut = allocOutput(backend, t.runningMean.shape.slice());
  const varOut = allocOutput(backend, t.runningVar.shape.slice());
  const [nm, nv] = [meanOut.view(), varOut.view()];
  const [rm, rv, m, v] = [t.runningMean, t.runningVar, t.mean, t.variance].map((x) => readView(backend, x, PqRunningStats));
  const f = Math.fround;
  const [keep, take, u] = [f(1 - momentum), f(momentum), f(unbias)];
  for (let i = 0; i < nm.length; i++) {
    nm[i] = f(rm![i]! * keep) + f(m![i]! * take);
    nv[i] = f(rv![i]! * keep) + f(f(v![i]! * u) * take);
  }
  return [meanOut.finish(), varOut.finish()];
}

export function runningStatsKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqRunningStats, backendName, kernelFunc: runningStatsKernelFunc as unknown as KernelFunc };
}
