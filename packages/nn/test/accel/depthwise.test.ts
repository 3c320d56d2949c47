// Depthwise convolutions (groups == channels) on the accelerated path: @pq/nn's conv1d/conv2d
// run them as one tfjs depthwise op (XNNPACK on wasm), and pq's SIMD kernel (kernels.wat, `dw`)
// computes both gradients in the wasm heap; on Node, 2-d ones at stride 1 stay channels first on
// the native kernels instead (depthwise_channels_first.ts), forward and gradients. Against tfjs's stock cpu kernels through tf.grads,
// on random shapes: odd channel counts (SIMD lanes and the scalar tail), strides, padding,
// dilation and channel multipliers.
//
// Tolerance: every value is a float32 sum of at most a few hundred products of numbers in
// [-1, 1], taken in another order than the cpu kernel's. Each order's rounding error is at most
// n·ε·Σ|terms| in theory and grows like ε·√n·|partial sums| for random signs in practice, so the
// two differ by ~1e-6 relative to 1 + |value| here; 1e-5 leaves a 10x margin on any CPU (the
// kernels use no fused multiply-add, which WebAssembly SIMD does not have). On Node the native
// kernels (@pq/kernels-native) compute the two gradients instead, with that kernel's bits.
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeKernels, nativeUnavailableReason } from '@pq/kernels-native';
import { disableAcceleration, enableAcceleration } from './../../src/accel/index.js';
import { nativeKernels, provideNativeKernels } from './../../src/accel/native_provider.js';
import * as F from './../../src/functional/index.js';
import { int, maxRelDiff, onAccelerated, onStockCpu, randomArray, rng, values } from './helpers.js';

interface DwCase {
  n: 1 | 2;
  xShape: number[];
  wShape: number[];
  stride: number;
  padding: number | 'same';
  dilation: number;
  x: Float32Array;
  w: Float32Array;
  b: Float32Array;
}

function randomCase(seed: number): DwCase {
  const next = rng(seed);
  const n = seed % 5 === 0 ? 1 : 2;
  const c = [1, 3, 4, 5, 7, 13][int(next, 0, 5)]!;
  const mult = next() < 0.2 ? 2 : 1;
  const k = int(next, 1, 4);
  const dilation = next() < 0.25 ? 2 : 1;
  const stride = int(next, 1, 3);
  const padding = stride === 1 && next() < 0.3 ? 'same' : int(next, 0, 2);
  const span = (k - 1) * dilation + 1;
  const spatial = Array.from({ length: n }, () => int(next, span, span + 7));
  const xShape = [int(next, 1, 2), c, ...spatial];
  const wShape = [c * mult, 1, ...Array<number>(n).fill(k)];
  const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);
  return { n, xShape, wShape, stride, padding, dilation, x: randomArray(size(xShape), next), w: randomArray(size(wShape), next), b: randomArray(c * mult, next) };
}

/** Output and the gradients of sum(conv(x, w, b) * dy) for x, w and b. */
function convAndGrads(c: DwCase): Float32Array[] {
  return values(
    tf.tidy(() => {
      const x = tf.tensor(c.x, c.xShape);
      const w = tf.tensor(c.w, c.wShape);
      const b = tf.tensor(c.b, [c.b.length]);
      const o = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.xShape[1]! };
      const conv = c.n === 1 ? F.conv1d : F.conv2d;
      const y = conv(x, w, b, o);
      const dy = tf.tensor(randomArray(y.size, rng(9)), y.shape);
      return [y, ...tf.grads((a: tf.Tensor, v: tf.Tensor, u: tf.Tensor) => tf.sum(tf.mul(conv(a, v, u, o), dy)))([x, w, b])];
    }),
  );
}

describe('depthwise convolution (wasm)', () => {
  const cases = Array.from({ length: 16 }, (_, i) => randomCase(300 + i));
  it.each(cases.map((c, i) => [i, JSON.stringify({ x: c.xShape, w: c.wShape, s: c.stride, p: c.padding, d: c.dilation }), c] as const))(
    'case %i %s matches stock cpu, with gradients',
    async (_, __, c) => {
      const stock = await onStockCpu(() => convAndGrads(c));
      const fast = await onAccelerated('wasm', () => convAndGrads(c));
      fast.forEach((v, k) => expect(maxRelDiff(v, stock[k]!), `output ${k}`).toBeLessThan(1e-5));
    },
  );

  // tfjs's gradients never pass a dilation to these kernels (tfjs's cpu filter gradient ignores one).
  it('runs the gradient kernels directly with unequal strides and same padding, leaving no tensors behind', async () => {
    const next = rng(41);
    const x = randomArray(2 * 9 * 8 * 6, next);
    const dy = randomArray(2 * 5 * 8 * 6, next);
    const w = randomArray(3 * 3 * 6, next);
    const attrs = { strides: [2, 1], dilations: [1, 1], pad: 'same' };
    const run = (): Float32Array[] => {
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => {
        const xt = tf.tensor4d(x, [2, 9, 8, 6]);
        const dyt = tf.tensor4d(dy, [2, 5, 8, 6]);
        const wt = tf.tensor4d(w, [3, 3, 6, 1]);
        return [
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape: [3, 3, 6, 1] } as never) as tf.Tensor,
          tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyt, filter: wt }, { ...attrs, inputShape: [2, 9, 8, 6] } as never) as tf.Tensor,
        ];
      });
      const v = values(out);
      expect(tf.memory().numTensors).toBe(before);
      return v;
    };
    const stock = await onStockCpu(run);
    const fast = await onAccelerated('wasm', run);
    fast.forEach((v, k) => expect(maxRelDiff(v, stock[k]!), `output ${k}`).toBeLessThan(1e-5));
  });
});

describe.runIf(loadNativeKernels())('depthwise gradients on the native kernels', () => {
  const previous = provideNativeKernels({ load: loadNativeKernels, unavailableReason: nativeUnavailableReason });
  afterAll(() => {
    disableAcceleration();
    provideNativeKernels(previous);
  });

  it.each([
    ['3x3 pad 1, 19 channels, 14x13', [2, 19, 14, 13], 3, 1],
    ['5x5 pad 2, 8 channels, 9x17', [1, 8, 9, 17], 5, 2],
  ] as const)('run pq\'s stride-1 depthwise conv2d channels first, no transposes of x or y, no tensors left behind: %s', async (_name, xShape, k, padding) => {
    const next = rng(78);
    const c = xShape[1];
    const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
    const dwCase: DwCase = {
      n: 2, xShape: [...xShape], wShape: [c, 1, k, k], stride: 1, padding, dilation: 1,
      x: randomArray(size(xShape), next), w: randomArray(c * k * k, next), b: randomArray(c, next),
    };
    expect((await enableAcceleration()).native.active).toBe(true);
    convAndGrads(dwCase); // warm-up
    const spies = (['depthwiseConv2d', 'depthwiseConv2dBackpropInput', 'depthwiseConv2dBackpropFilter'] as const).map((m) => vi.spyOn(nativeKernels()!, m));
    const before = tf.memory().numTensors;
    let fast: Float32Array[] = [];
    const profile = await tf.profile(() => {
      fast = convAndGrads(dwCase);
    });
    expect(tf.memory().numTensors).toBe(before);
    spies.forEach((spy) => expect(spy.mock.calls[0]![3]).toMatchObject({ channelsFirst: true }));
    spies.forEach((spy) => spy.mockRestore());
    const activations = [JSON.stringify(xShape)];
    expect(profile.kernels.filter((e) => e.name === 'Transpose' && activations.includes(JSON.stringify(e.inputShapes[0])))).toEqual([]);
    const stock = await onStockCpu(() => convAndGrads(dwCase));
    fast.forEach((v, i) => expect(maxRelDiff(v, stock[i]!), `output ${i}`).toBeLessThan(1e-5));
  });

  it.each([
    ['MobileNet 3x3 pad 1, 96 channels', [2, 8, 8, 96], [1, 1], 'same', [2, 8, 8, 96]],
    ['3x3 stride 2, 21 channels', [3, 9, 7, 21], [2, 2], 'same', [3, 5, 4, 21]],
    ['5x5 valid, unequal strides, 3 channels', [1, 11, 9, 3], [2, 1], 'valid', [1, 4, 5, 3]],
  ] as const)('give the wasm kernel\'s bits, no tensors left behind: %s', async (_name, xShape, strides, pad, dyShape) => {
    const next = rng(77);
    const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
    const x = randomArray(size(xShape), next), dy = randomArray(size(dyShape), next), w = randomArray(9 * 25 * xShape[3]!, next);
    const filterShape = pad === 'valid' ? [5, 5, xShape[3]!, 1] : [3, 3, xShape[3]!, 1];
    const attrs = { strides, dilations: [1, 1], pad };
    const run = (): Float32Array[] => {
      const before = tf.memory().numTensors;
      const out = tf.tidy(() => [
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor(x, [...xShape]), dy: tf.tensor(dy, [...dyShape]) }, { ...attrs, filterShape } as never) as tf.Tensor,
        tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor(dy, [...dyShape]), filter: tf.tensor(w.subarray(0, size(filterShape)), filterShape) }, { ...attrs, inputShape: xShape } as never) as tf.Tensor,
      ]);
      const v = values(out);
      expect(tf.memory().numTensors).toBe(before);
      return v;
    };
    expect((await enableAcceleration()).native.active).toBe(true); // (1 vs 3 threads: @pq/kernels-native's tests)
    const native = run();
    expect((await enableAcceleration({ native: false })).native.active).toBe(false);
    const wasm = run();
    expect(native).toEqual(wasm);
  });
});
