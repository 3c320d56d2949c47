// The fused fake-quant kernels, registered under pq's own names ('PqFakeQuant',
// 'PqFakeQuantGrad') so they never replace a tfjs kernel. They work in place on the cpu and
// wasm backends' memory and through readSync/write copies anywhere else.
import * as tf from '@tensorflow/tfjs-core';
import { allocOutput, readView } from './data_access.js';
import {
  axisLayout,
  channelLayout,
  effectiveAmax,
  fakeQuantBackward,
  fakeQuantForward,
  reduceAmax,
  type ChannelLayout,
  type FakeQuantAttrs,
} from './fake_quant_math.js';

export const PQ_FAKE_QUANT = 'PqFakeQuant';
export const PQ_FAKE_QUANT_GRAD = 'PqFakeQuantGrad';

/** Kernel attributes: the quant options plus `axis` for a dynamic amax (-1 ... n-1, or null). */
export interface FakeQuantKernelAttrs extends FakeQuantAttrs {
  /** Only used without an amax input: the axis that keeps its own dynamic amax; null = per tensor. */
  axis: number | null;
  /** A static per-tensor amax given as a number instead of an `amax` input. */
  staticAmax?: number;
}

function read(backend: tf.KernelBackend, t: tf.TensorInfo): Float32Array {
  return readView(backend, t, 'fakeQuantFused');
}

/** The amax each channel uses (static from the input, or reduced from x) and its layout. */
function amaxFor(backend: tf.KernelBackend, x: tf.TensorInfo, xData: Float32Array, amax: tf.TensorInfo | undefined, a: FakeQuantKernelAttrs): { values: Float32Array; layout: ChannelLayout } {
  if (a.staticAmax !== undefined) {
    return { values: effectiveAmax(Float32Array.of(a.staticAmax), a.scaleAmax), layout: { channels: 1, inner: x.shape.reduce((p, d) => p * d, 1) } };
  }
  if (amax !== undefined) {
    return { values: effectiveAmax(read(backend, amax), a.scaleAmax), layout: channelLayout(x.shape, amax.shape) };
  }
  const layout = axisLayout(x.shape, a.axis);
  return { values: effectiveAmax(reduceAmax(xData, layout), a.scaleAmax), layout };
}

function fakeQuantKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const a = attrs as unknown as FakeQuantKernelAttrs;
  const x = inputs['x']!;
  const out = allocOutput(backend, x.shape.slice());
  const y = out.view();
  const xData = read(backend, x);
  const { values, layout } = amaxFor(backend, x, xData, inputs['amax'], a);
  fakeQuantForward(xData, values, layout, a, y);
  return out.finish();
}

function fakeQuantGradKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const a = attrs as unknown as FakeQuantKernelAttrs;
  const x = inputs['x']!;
  const out = allocOutput(backend, x.shape.slice());
  const dx = out.view();
  const xData = read(backend, x);
  const { values, layout } = amaxFor(backend, x, xData, inputs['amax'], a);
  fakeQuantBackward(read(backend, inputs['dy']!), xData, values, layout, dx);
  return out.finish();
}

const registeredOn = new Set<string>();

/** Registers the pq fake-quant kernels for `backendName` (once). */
export function registerFakeQuantKernels(backendName: string): void {
  if (registeredOn.has(backendName) || tf.getKernel(PQ_FAKE_QUANT, backendName) !== undefined) return;
  tf.registerKernel({ kernelName: PQ_FAKE_QUANT, backendName, kernelFunc: fakeQuantKernel as tf.KernelFunc });
  tf.registerKernel({ kernelName: PQ_FAKE_QUANT_GRAD, backendName, kernelFunc: fakeQuantGradKernel as tf.KernelFunc });
  registeredOn.add(backendName);
}
