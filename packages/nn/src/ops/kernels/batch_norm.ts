// Training-mode batch normalisation on any backend, as two kernels over NC[spatial] data: the
// forward takes each channel's mean and biased variance (two passes, double accumulation, as
// PyTorch's CPU kernel) and writes y = x * (w / sqrt(var + eps)) + (b - mean * w / sqrt(var + eps));
// the backward gets Σdy and Σdy·(x - mean) per channel in one pass and writes dx in another.
// @pq/kernels-native's batchNormTrain / batchNormTrainGrad (and their reference loops) compute
// this same arithmetic, and the wasm path runs them on Node (accel/batch_norm_wasm.ts).
// A chain of tfjs ops would reduce over N and the spatial dims through transposes and keep
// several full-size temporaries; these read and write each element a fixed few times, on the
// wasm heap or the cpu backend's arrays without copies (accel/data_access).
import type { KernelBackend, KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { allocOutput, readView } from '../../accel/data_access.js';
import { PqBatchNormTrain, PqBatchNormTrainGrad, type BatchNormAttrs } from '../kernel_names.js';

type KernelArgs = { inputs: NamedTensorInfoMap; backend: KernelBackend; attrs?: NamedAttrMap };

/** [N, C, S] of an NC[spatial] shape (S = 1 for [N, C]). */
export function layout(shape: readonly number[]): [number, number, number] {
  const n = shape[0]!;
  const c = shape[1]!;
  const s = shape.slice(2).reduce((a, b) => a * b, 1);
  return [n, c, s];
}

export function batchNormTrainKernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const { x, weight, bias } = inputs as { x: TensorInfo; weight: TensorInfo; bias: TensorInfo };
  const { eps } = attrs as unknown as BatchNormAttrs;
  const [N, C, S] = layout(x.shape);
  const count = N * S;
  // Every output is allocated before any view is taken (a wasm heap growth invalidates views).
  const yOut = allocOutput(backend, x.shape.slice());
  const meanOut = allocOutput(backend, [C]);
  const varOut = allocOutput(backend, [C]);
  const y = yOut.view();
  const mean = meanOut.view();
  const variance = varOut.view();
  const xv = readView(backend, x, PqBatchNormTrain);
  const w = readView(backend, weight, PqBatchNormTrain);
  const b = readView(backend, bias, PqBatchNormTrain);
  const channelStride = C * S;
  for (let c = 0; c < C; c++) {
    let sum = 0;
    for (let n = 0, base = c * S; n < N; n++, base += channelStride) {
      for (let i = base, end = base + S; i < end; i++) sum += xv[i]!;
    }
    const m = sum / count;
    let squares = 0;
    for (let n = 0, base = c * S; n < N; n++, base += channelStride) {
      for (let i = base, end = base + S; i < end; i++) {
        const d = xv[i]! - m;
        squares += d * d;
      }
    }
    const v = squares / count;
    const alpha = w[c]! / Math.sqrt(v + eps);
    const beta = b[c]! - m * alpha;
    for (let n = 0, base = c * S; n < N; n++, base += channelStride) {
      for (let i = base, end = base + S; i < end; i++) y[i] = xv[i]! * alpha + beta;
    }
    mean[c] = m;
    variance[c] = v;
  }
  return [yOut.finish(), meanOut.finish(), varOut.finish()];
}

export function batchNormTrainGradKernelFunc({ inputs, backend, attrs }: KernelArgs): TensorInfo[] {
  const t = inputs as { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; variance: TensorInfo; weight: TensorInfo };
  const { eps } = attrs as unknown as BatchNormAttrs;
  const [N, C, S] = layout(t.x.shape);
  const count = N * S;
  const dxOut = allocOutput(backend, t.x.shape.slice());
  const dwOut = allocOutput(backend, [C]);
  const dbOut = allocOutput(backend, [C]);
  const dx = dxOut.view();
  const dw = dwOut.view();
  const db = dbOut.view();
  const dy = readView(backend, t.dy, PqBatchNormTrainGrad);
  const xv = readView(backend, t.x, PqBatchNormTrainGrad);
  const mean = readView(backend, t.mean, PqBatchNormTrainGrad);
  const variance = readView(backend, t.variance, PqBatchNormTrainGrad);
  const w = readView(backend, t.weight, PqBatchNormTrainGrad);
  const channelStride = C * S;
  for (let c = 0; c < C; c++) {
    const m = mean[c]!;
    const invstd = 1 / Math.sqrt(variance[c]! + eps);
    let sumDy = 0;
    let sumDyXc = 0;
    for (let n = 0, base = c * S; n < N; n++, base += channelStride) {
      for (let i = base, end = base + S; i < end; i++) {
        const g = dy[i]!;
        sumDy += g;
        sumDyXc += g * (xv[i]! - m);
      }
    }
    // dx = w·invstd·(dy - Σdy/M - x̂·Σ(dy·x̂)/M), x̂ = (x - mean)·invstd.
    const k = w[c]! * invstd;
    const meanDy = sumDy / count;
    const proj = (sumDyXc * invstd * invstd) / count;
    for (let n = 0, base = c * S; n < N; n++, base += channelStride) {
      for (let i = base, end = base + S; i < end; i++) dx[i] = k * (dy[i]! - meanDy - (xv[i]! - m) * proj);
    }
    dw[c] = sumDyXc * invstd;
    db[c] = sumDy;
  }
  return [dxOut.finish(), dwOut.finish(), dbOut.finish()];
}

export function batchNormTrainKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqBatchNormTrain, backendName, kernelFunc: batchNormTrainKernelFunc as KernelFunc };
}

export function batchNormTrainGradKernelConfig(backendName: string): KernelConfig {
  return { kernelName: PqBatchNormTrainGrad, backendName, kernelFunc: batchNormTrainGradKernelFunc as KernelFunc };
}
