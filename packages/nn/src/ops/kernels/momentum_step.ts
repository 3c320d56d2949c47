// PqMomentumStep on the backends whose data JS can see (cpu; wasm without SIMD): one loop
// reading p, v and g once, where tfjs's MomentumOptimizer runs four ops that each allocate a
// full-size tensor. Every product and sum is rounded to float32 as those ops round it (a
// product or sum of two float32s taken in float64 and rounded once is the float32 result).
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { allocOutput, readView } from '../../accel/data_access.js';
import { PqMomentumStep, type MomentumStepAttrs } from '../kernel_names.js';

type KernelArgs = { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap };

export function momentumStepKernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { p, v, g } = inputs as { p: TensorInfo; v: TensorInfo; g: TensorInfo };
  const { c, m, nesterov } = attrs as unknown as MomentumStepAttrs;
  const pOut = allocOutput(backend, p.shape.slice());
  const vOut = allocOutput(backend, p.shape.slice());
  const np = pOut.view();
  const nv = vOut.view();
  const pv = readView(backend, p, PqMomentumStep);
  const vv = readView(backend, v, PqMomentumStep);
  const gv = readView(backend, g, PqMomentumStep);
  const f = Math.fround;
  const cf = f(c);
  const mf = f(m);
  for (let i = 0; i < np.length; i++) {
    const vi = f(f(mf * vv[i]!) + gv[i]!);
    nv[i] = vi;
    np[i] = f(cf * (nesterov ? f(gv[i]! + f(vi * mf)) : vi)) + pv[i]!;
  }
  return [pOut.finish(), vOut.finish()];
}

export function momentumStepKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqMomentumStep, backendName, kernelFunc: momentumStepKernelFunc as unknown as KernelFunc };
}
