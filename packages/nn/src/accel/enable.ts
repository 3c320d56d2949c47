// The opt-in switch. `enableAcceleration()` registers tfjs's gradients, selects the wasm
// backend (XNNPACK convolutions and matmuls) and installs pq's kernels where that backend has
// none or a slow one; `disableAcceleration()` puts every replaced kernel back and returns to
// the backend that was active before. Nothing here runs at import time.
import * as tf from '@tensorflow/tfjs-core';
import { registerTfjsGradients } from '../tfjs_setup.js';
import { conv2dBackpropFilterViaConv } from './conv2d_backprop_filter.js';
import { conv2dBackpropInputViaConv } from './conv2d_backprop_input.js';
import { callKernel } from './kernel_call.js';
import { conv2dGeometry } from './conv_geometry.js';
import { maxPoolGradJs } from './max_pool_grad.js';
import { identityShared } from './identity.js';
import { momentumStepWasm } from './momentum_step_wasm.js';
import { sumColumns } from './sum_columns.js';
import { batchNormTrainGradWasm, batchNormTrainWasm } from './batch_norm_wasm.js';
import { conv3dBackpropFilterJs, conv3dBackpropInputJs } from './conv3d_grad.js';
import { transposeWithPeephole } from './transpose_peephole.js';
import { registerReluGradKernel, reluGradConfig } from './relu_grad.js';
import { batchMatMulPlain } from './batch_matmul.js';
import { addBroadcastRow } from './bias_add.js';
import { sliceRuns } from './slice_runs.js';
import { padWasm } from './pad_wasm.js';
import { maxPoolJs, poolInfo, type MaxPoolArgs } from './max_pool.js';
import { cpuFallbackKernels, viaCpuKernel } from './cpu_fallback.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './depthwise_grad.js';
import { PqDepthwiseChannelsFirst, depthwiseChannelsFirstGradConfig, depthwiseChannelsFirstKernels } from './depthwise_channels_first.js';
import { PqFakeQuantChannelsLast, fakeQuantChannelsLastGradConfig, fakeQuantChannelsLastKernels } from './fake_quant_swap.js';
import { PqChannelAffine, channelAffineGradConfig, channelAffineKernel } from './channel_affine.js';
import { setChannelsFirstInstalled } from './channels_first.js';
import { checkThreads, useWasmThreads, wasmStartFailure, wasmThreads } from './wasm_threads.js';
import type { WasmPackage } from './wasm_emscripten.js';
import { fakeQuantWasm, quantGradWasm } from './fake_quant_wasm.js';
import { PqBatchNormTrain, PqBatchNormTrainGrad, PqFakeTensorQuant, PqMomentumStep, PqQuantGrad } from '../ops/kernel_names.js';
import { configureNative, nativeLoadable, nativeState, nativeThreadCount, type NativeState } from './native_provider.js';
import { conv2dBackpropFilterNative, conv2dBackpropInputNative, conv2dNative, type NativeConvAttrs } from './native_conv.js';
import { batchMatMulNative } from './native_matmul.js';
import { avgPoolGradNative, maxPoolGradNative } from './native_pool.js';

export type AcceleratedBackend = 'wasm' | 'cpu';

export interface AccelerationOptions {
  /** 'wasm' (default; XNNPACK) or 'cpu' (stock cpu backend with pq's convolution gradients). */
  backend?: AcceleratedBackend;
  /**
   * Threads, 1 to 8 (default: as before: 1 on Node, tfjs-wasm's own choice in a browser). On Node
   * with the native kernels, theirs, the wasm backend staying single-threaded; otherwise the wasm
   * backend's XNNPACK operators', above 1 tfjs-wasm's threaded build, which a browser runs only on
   * a cross-origin-isolated page (COOP/COEP headers): elsewhere threads > 1 is refused with that
   * reason. Changing the wasm backend's threads replaces it, so that is refused once it holds
   * tensors: call this before building models.
   */
  threads?: number;
  /**
   * pq's native CPU kernels (@pq/kernels-native, Node only) for the wasm backend's Conv2D, its
   * gradients, BatchMatMul, MaxPoolGrad, the depthwise gradients and the momentum step, on
   * `threads` threads (default true where they load; false opts out, and then `threads` goes to
   * the wasm backend).
   */
  native?: boolean;
}

export interface AccelerationState {
  enabled: boolean;
  backend: string;
  /** Threads of the wasm backend (1 unless `enableAcceleration({ threads })` gave it more; the native kernels' are in `native`). */
  threads: number;
  /** `Kernel@backend` for every kernel pq installed. */
  kernels: string[];
  /** Whether the native kernels run (wasm backend, Node), on how many threads, and why not. */
  native: NativeState;
}

interface Replaced {
  kernelName: string;
  backendName: string;
  original: tf.KernelConfig | undefined;
}

let replaced: Replaced[] = [];
let replacedGradients: Array<{ kernelName: string; original: tf.GradConfig | undefined }> = [];
let previousBackend: string | null = null;

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

function install(kernelName: string, backendName: string, make: (original: tf.KernelConfig | undefined) => tf.KernelFunc): void {
  const original = tf.getKernel(kernelName, backendName);
  if (original !== undefined) tf.unregisterKernel(kernelName, backendName);
  // The stock kernel's setup runs when the backend starts, for pq's kernel to call it afterwards.
  tf.registerKernel({ kernelName, backendName, kernelFunc: make(original), setupFunc: original?.setupFunc, disposeFunc: original?.disposeFunc });
  replaced.push({ kernelName, backendName, original });
}

/**
 * tfjs's wasm Conv2D computes wrong values for 'same' padding when a stride exceeds the kernel,
 * and writes past its output (corrupting the wasm heap) for a numeric pad with unequal strides
 * or a non-square kernel, whose output tfjs sizes from the row stride and kernel height alone.
 * pq passes 'same' as the explicit padding it stands for, and refuses the second case with a
 * clear error (explicit padding works).
 */
function installWasmConvGuard(): void {
  install('Conv2D', 'wasm', (original) => (({ inputs, backend, attrs }: KernelArgs) => {
    const a = attrs as Record<string, unknown>;
    const x = inputs['x']!;
    const filter = inputs['filter']!;
    // Channels first: the native kernels, or tfjs's kernel (which refuses NCHW).
    if (a['dataFormat'] === 'NCHW') return conv2dNative(backend, x, filter, a as unknown as NativeConvAttrs) ?? callKernel('Conv2D', 'wasm', backend, inputs, attrs, original);
    const g = conv2dGeometry(x.shape, filter.shape, a['strides'] as [number, number], a['pad'], a['dimRoundingMode']);
    let fixed = attrs;
    if (typeof a['pad'] === 'number' && (g.strideH !== g.strideW || g.info.effectiveFilterHeight !== g.info.effectiveFilterWidth)) {
      throw new Error(
        `conv2d on wasm: tfjs sizes a numeric pad (${a['pad']}) wrongly with strides [${g.strideH},${g.strideW}] and kernel ` +
          `${g.kh}x${g.kw}; pass explicit padding [[0,0],[top,bottom],[left,right],[0,0]]`,
      );
    }
    if (a['pad'] === 'same' && (g.strideH > g.kh || g.strideW > g.kw)) {
      const { top, bottom, left, right } = g.info.padInfo;
      fixed = { ...attrs, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] } as unknown as tf.NamedAttrMap;
    }
    return conv2dNative(backend, x, filter, fixed as unknown as NativeConvAttrs) ?? callKernel('Conv2D', 'wasm', backend, inputs, fixed, original);
  }) as tf.KernelFunc);
}

function installConvGradients(backendName: string): void {
  install('Conv2DBackpropFilter', backendName, (original) => (({ inputs, backend, attrs }: KernelArgs) => {
    const a = attrs as Record<string, unknown>;
    const native = backendName === 'wasm' ? conv2dBackpropFilterNative(backend, inputs['x']!, inputs['dy']!, a['filterShape'] as number[], a as unknown as NativeConvAttrs) : null;
    if (native !== null) return native;
    if (a['dataFormat'] !== undefined && a['dataFormat'] !== 'NHWC') {
      return callKernel('Conv2DBackpropFilter', backendName, backend, inputs, attrs, original);
    }
    return conv2dBackpropFilterViaConv(backend, backendName, {
      x: inputs['x']!, dy: inputs['dy']!, strides: a['strides'] as [number, number], pad: a['pad'],
      dimRoundingMode: a['dimRoundingMode'], filterShape: a['filterShape'] as [number, number, number, number],
    });
  }) as tf.KernelFunc);
  install('Conv2DBackpropInput', backendName, (original) => (({ inputs, backend, attrs }: KernelArgs) => {
    const a = attrs as Record<string, unknown>;
    const native = backendName === 'wasm' ? conv2dBackpropInputNative(backend, inputs['dy']!, inputs['filter']!, a['inputShape'] as number[], a as unknown as NativeConvAttrs) : null;
    if (native !== null) return native;
    const fast = a['dataFormat'] !== undefined && a['dataFormat'] !== 'NHWC' ? null : conv2dBackpropInputViaConv(backend, backendName, {
      dy: inputs['dy']!, filter: inputs['filter']!, strides: a['strides'] as [number, number], pad: a['pad'],
      dimRoundingMode: a['dimRoundingMode'], inputShape: a['inputShape'] as [number, number, number, number],
    });
    return fast ?? callKernel('Conv2DBackpropInput', backendName, backend, inputs, attrs, original);
  }) as tf.KernelFunc);
}

/** tfjs's wasm 3-d convolution gradients are wrong (see conv3d_grad.ts); pq's JS loops replace them. */
function installWasmConv3dGradients(): void {
  install('Conv3DBackpropInputV2', 'wasm', () => (({ inputs, backend, attrs }: KernelArgs) => {
    const a = attrs as Record<string, unknown>;
    return conv3dBackpropInputJs(backend, inputs['dy']!, inputs['filter']!, a['inputShape'] as number[], a['strides'], a['pad']);
  }) as tf.KernelFunc);
  install('Conv3DBackpropFilterV2', 'wasm', () => (({ inputs, backend, attrs }: KernelArgs) => {
    const a = attrs as Record<string, unknown>;
    return conv3dBackpropFilterJs(backend, inputs['x']!, inputs['dy']!, a['filterShape'] as number[], a['strides'], a['pad']);
  }) as tf.KernelFunc);
}

/** wasm's slow cases of BatchMatMul (a transposed operand) and Add (a short broadcast row), Slice and PadV2. */
function installWasmMatMulAndAdd(): void {
  install('BatchMatMul', 'wasm', (original) => (({ inputs, backend, attrs }: KernelArgs) => {
    const t = attrs as { transposeA?: boolean; transposeB?: boolean };
    return batchMatMulNative(backend, inputs['a']!, inputs['b']!, t.transposeA === true, t.transposeB === true) ??
      batchMatMulPlain(backend, 'wasm', inputs, t, original);
  }) as tf.KernelFunc);
  install('Add', 'wasm', (original) => (({ inputs, backend }: KernelArgs) => addBroadcastRow(backend, 'wasm', inputs, original)) as tf.KernelFunc);
  install('Slice', 'wasm', (original) => (({ inputs, backend, attrs }: KernelArgs) =>
    sliceRuns(backend, 'wasm', inputs['x']!, attrs as unknown as { begin: number[]; size: number[] }, original)) as tf.KernelFunc);
  install('PadV2', 'wasm', (original) => (({ inputs, backend, attrs }: KernelArgs) =>
    padWasm(backend, inputs['x']!, attrs as unknown as { paddings: Array<[number, number]>; constantValue: number }, original)) as tf.KernelFunc);
}

function installTranspose(backendName: string): void {
  install('Transpose', backendName, (original) => (({ inputs, backend, attrs }: KernelArgs) =>
    transposeWithPeephole(backend, backendName, inputs['x']!, (attrs as { perm: number[] }).perm, original)) as tf.KernelFunc);
}

/** Relu's gradient through pq's one-pass kernel (registered for this backend). */
function installReluGradient(backendName: string): void {
  registerReluGradKernel(backendName);
  const original = tf.getGradient('Relu');
  tf.registerGradient(reluGradConfig(original));
  replacedGradients.push({ kernelName: 'Relu', original });
}

function installPooling(backendName: string): void {
  if (backendName === 'wasm') {
    install('MaxPool', backendName, (original) => (({ inputs, backend, attrs }: KernelArgs) => {
      const a = attrs as Record<string, unknown>;
      const args: MaxPoolArgs = {
        x: inputs['x']!, filterSize: a['filterSize'] as [number, number], strides: a['strides'] as [number, number],
        pad: a['pad'], dimRoundingMode: a['dimRoundingMode'],
      };
      const info = poolInfo(args);
      // XNNPACK's pooling corrupts the heap for a stride above the window, and tfjs sizes a
      // numeric pad from the row stride and window height alone; the JS loop handles both.
      const oddNumericPad = typeof a['pad'] === 'number' && (info.strideHeight !== info.strideWidth || info.filterHeight !== info.filterWidth);
      const safe = info.strideHeight <= info.filterHeight && info.strideWidth <= info.filterWidth && !oddNumericPad;
      return safe && original !== undefined ? callKernel('MaxPool', backendName, backend, inputs, attrs, original) : maxPoolJs(backend, args);
    }) as tf.KernelFunc);
  }
  install('MaxPoolGrad', backendName, () => (({ inputs, backend, attrs }: KernelArgs) => {
    const a = attrs as Record<string, unknown>;
    const args = {
      dy: inputs['dy']!, input: inputs['input']!, filterSize: a['filterSize'] as [number, number],
      strides: a['strides'] as [number, number], pad: a['pad'], dimRoundingMode: a['dimRoundingMode'],
    };
    return (backendName === 'wasm' ? maxPoolGradNative(backend, args) : null) ?? maxPoolGradJs(backend, args);
  }) as tf.KernelFunc);
  if (backendName === 'wasm') {
    install('AvgPoolGrad', backendName, (original) => (({ inputs, backend, attrs }: KernelArgs) => {
      const a = attrs as Record<string, unknown>;
      const args = {
        dy: inputs['dy']!, input: inputs['input']!, filterSize: a['filterSize'] as [number, number],
        strides: a['strides'] as [number, number], pad: a['pad'], dimRoundingMode: a['dimRoundingMode'],
      };
      return avgPoolGradNative(backend, args) ?? callKernel('AvgPoolGrad', backendName, backend, inputs, attrs, original);
    }) as tf.KernelFunc);
  }
}

/**
 * Makes tfjs training fast on Node: registers gradients, switches to `opts.backend` ('wasm' by
 * default) and installs pq's convolution-gradient kernels there. Idempotent; undo with
 * `disableAcceleration()`.
 */
export async function enableAcceleration(opts: AccelerationOptions = {}): Promise<AccelerationState> {
  const backendName = opts.backend ?? 'wasm';
  if (backendName !== 'wasm' && backendName !== 'cpu') {
    throw new Error(`enableAcceleration: backend must be 'wasm' or 'cpu', got '${String(backendName)}'`);
  }
  const threads = checkThreads(opts.threads);
  if (threads !== undefined && threads > 1 && backendName !== 'wasm') throw new Error(`enableAcceleration: threads (${threads}) are for the wasm backend, not '${backendName}'`);
  if (opts.native !== undefined && typeof opts.native !== 'boolean') throw new Error(`enableAcceleration: native must be true or false, got ${String(opts.native)}`);
  await registerTfjsGradients();
  if (replaced.length > 0) disableAcceleration();
  previousBackend = tf.getBackend() ?? null;
  // Imported here, not at module load: importing tfjs-backend-wasm registers it with a higher
  // priority than cpu, which would change every user's default backend.
  let wasmPackage: WasmPackage | undefined;
  if (backendName === 'wasm') {
    wasmPackage = await import('@tensorflow/tfjs-backend-wasm').catch((e: unknown) => {
      throw new Error(`enableAcceleration: the wasm backend needs the package @tensorflow/tfjs-backend-wasm (${(e as Error).message})`, { cause: e });
    });
  }
  else await import('@tensorflow/tfjs-backend-cpu');
  // On Node with the native kernels, `threads` is theirs and the wasm backend stays single-threaded:
  // with convolutions, products and the optimizer step native, tfjs-wasm's threaded build cost
  // more per op than its threads gained (ResNet-18 at 32x32, batch 32, 2 threads: ~220 images/s
  // threaded, ~250 single-threaded with 2 native threads; LeNet ~7,700 against ~8,800).
  const threadsNative = backendName === 'wasm' && opts.native !== false && nativeLoadable();
  if (wasmPackage !== undefined) useWasmThreads(threadsNative && threads !== undefined ? 1 : threads, wasmPackage);
  if (!(await tf.setBackend(backendName))) throw new Error(`enableAcceleration: the ${backendName} backend failed to initialise${wasmStartFailure()}`);
  await tf.ready();
  // After the backend starts: in a browser, tfjs-wasm reports its thread count only then.
  configureNative(opts.native !== false, threadsNative ? (threads ?? nativeThreadCount()) : backendName === 'wasm' ? wasmThreads() : 1);
  installKernels(backendName);
  return accelerationState();
}

/** pq's kernels for `backendName`: registrations only, so they also work before the backend starts. */
function installKernels(backendName: AcceleratedBackend): void {
  if (backendName === 'wasm') {
    for (const name of cpuFallbackKernels(backendName)) install(name, backendName, () => viaCpuKernel(name));
    installWasmConvGuard();
    installWasmConv3dGradients();
    install('DepthwiseConv2dNativeBackpropFilter', backendName, depthwiseBackpropFilter);
    install('DepthwiseConv2dNativeBackpropInput', backendName, depthwiseBackpropInput);
    install(PqFakeTensorQuant, backendName, fakeQuantWasm);
    install(PqQuantGrad, backendName, quantGradWasm);
    install('Identity', backendName, identityShared);
    install(PqMomentumStep, backendName, momentumStepWasm);
    install('Sum', backendName, sumColumns);
    install(PqBatchNormTrain, backendName, batchNormTrainWasm);
    install(PqBatchNormTrainGrad, backendName, batchNormTrainGradWasm);
    for (const [name, kernel] of depthwiseChannelsFirstKernels) install(name, backendName, () => kernel);
    if (tf.getGradient(PqDepthwiseChannelsFirst) === undefined) tf.registerGradient(depthwiseChannelsFirstGradConfig);
    for (const [name, kernel] of fakeQuantChannelsLastKernels) install(name, backendName, () => kernel);
    if (tf.getGradient(PqFakeQuantChannelsLast) === undefined) tf.registerGradient(fakeQuantChannelsLastGradConfig);
    install(channelAffineKernel[0], backendName, () => channelAffineKernel[1]);
    if (tf.getGradient(PqChannelAffine) === undefined) tf.registerGradient(channelAffineGradConfig);
    setChannelsFirstInstalled(true);
  }
  installConvGradients(backendName);
  installPooling(backendName);
  installReluGradient(backendName);
  if (backendName === 'wasm') {
    installTranspose(backendName);
    installWasmMatMulAndAdd();
  }
}

/**
 * The default on Node (see default_node.ts): pq's kernels on the wasm backend, registered before
 * tfjs starts a backend, so that the first op starts wasm with them; `disableAcceleration()`
 * returns to tfjs's cpu backend and its stock kernels.
 */
export function accelerateByDefault(): void {
  if (replaced.length > 0) return;
  installKernels('wasm');
  previousBackend = 'cpu';
}

/** Restores every kernel pq replaced and the backend that was active before enabling. */
export function disableAcceleration(): void {
  for (const r of replaced.reverse()) {
    tf.unregisterKernel(r.kernelName, r.backendName);
    if (r.original !== undefined) tf.registerKernel(r.original);
  }
  replaced = [];
  setChannelsFirstInstalled(false);
  for (const g of replacedGradients.reverse()) {
    if (g.original !== undefined) tf.registerGradient(g.original);
  }
  replacedGradients = [];
  if (previousBackend !== null && previousBackend !== tf.getBackend()) void tf.setBackend(previousBackend);
  previousBackend = null;
}

export function accelerationState(): AccelerationState {
  return {
    enabled: replaced.length > 0,
    backend: tf.getBackend(),
    threads: wasmThreads(),
    kernels: [...replaced.map((r) => `${r.kernelName}@${r.backendName}`), ...replacedGradients.map((g) => `${g.kernelName} gradient`)],
    native: nativeOnBackend(),
  };
}

/** The native kernels serve pq's kernels on the wasm backend only. */
function nativeOnBackend(): NativeState {
  if (replaced.length === 0) return { active: false, threads: 0, reason: 'acceleration is off' };
  const backend = tf.getBackend();
  if (backend !== 'wasm') return { active: false, threads: 0, reason: `native kernels serve the wasm backend; tfjs runs on '${backend}'` };
  return nativeState();
}
