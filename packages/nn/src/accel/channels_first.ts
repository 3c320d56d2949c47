// Whether pq's convolution layers hand their NCHW activations to the native kernels as they are,
// skipping the transposes to channels last and back around tfjs's convolutions (and around their
// gradients): while pq's wasm kernels are installed (they route NCHW convolutions to the native
// kernels) and those run, and where the native kernels read the layout in place.
import { convAttrsGeometry } from './native_conv.js';
import { nativeKernels } from './native_provider.js';
import type { CpuKernels } from '@pq/kernels-native';

let installed = false;

/** Set by enableAcceleration while pq's wasm kernels are registered. */
export function setChannelsFirstInstalled(on: boolean): void {
  installed = on;
}

/** The native kernels where pq's wasm kernels are installed on `backendName` and those run; else null. */
export function installedNativeKernels(backendName: string): CpuKernels | null {
  return installed && backendName === 'wasm' ? nativeKernels() : null;
}

/**
 * Whether tfjs's conv2d of NCHW `xShape` with an HWIO filter and tfjs's NCHW padding (`pad`)
 * runs channels first: stride 1 and rows of at least 12 (the kernels' `channelsFirstDirect`).
 */
export function convRunsChannelsFirst(backendName: string, xShape: readonly number[], filterShape: readonly number[], strides: [number, number], pad: unknown): boolean {
  const k = installedNativeKernels(backendName);
  const g = k === null ? null : convAttrsGeometry(xShape, filterShape, { strides, pad, dataFormat: 'NCHW' });
  return g !== null && k!.channelsFirstDirect(g);
}

/**
 * Whether a depthwise convolution (multiplier 1) runs channels first (depthwise_channels_first.ts):
 * at stride 1. The native kernels take any stride, but at stride 2 their phase-split copies cost
 * more than the NHWC path's transposes save (MobileNetV2's 144-channel 16x16 layer, one thread:
 * 6.0 ms forward + backward against 4.1).
 */
export function depthwiseRunsChannelsFirst(backendName: string, strides: readonly number[]): boolean {
  return strides.every((s) => s === 1) && installedNativeKernels(backendName) !== null;
}
