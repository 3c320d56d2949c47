// BatchNorm2d's training forward + backward at a ResNet shape ([32, 64, 32, 32]) against a
// Conv2d(64, 64, 3, padding 1) forward + backward on the same input, on the accelerated path
// (wasm + pq's kernels): the ratio says whether batch norm weighs on a ResNet step. Also the
// same batch norm written as tfjs ops (what the one-kernel op replaces) and, where Debian's
// python3-torch is installed, PyTorch's own BN/conv ratio at that shape.
// Run: npx tsx --conditions=@pq/source bench/batch_norm.ts [--runs N]
import { execFileSync } from 'node:child_process';
import { timeRuns } from '@pq/bench-utils';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, manualSeed } from '../src/index.js';
import { enableAcceleration } from '../src/accel/index.js';

const i = process.argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 15;
const SHAPE = [32, 64, 32, 32];

/** Median and fastest ms of `loss`'s forward + backward with respect to x and `params`. */
function fwdBwd(loss: (x: tf.Tensor) => tf.Scalar, x: tf.Variable, params: tf.Variable[]): { median: number; fastest: number } {
  const step = (): void =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => loss(x), [x, ...params]);
      for (const g of Object.values(grads)) g.dataSync();
    });
  return timeRuns(step, { warmup: 3, runs: RUNS });
}

/** Batch norm in training mode as tfjs ops (moments over N, H, W; broadcasting affine). */
function batchNormAsOps(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 2, 3], true);
  const c = [1, x.shape[1]!, 1, 1];
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), tf.reshape(w, c)), tf.reshape(b, c));
}

function torchRatio(): string {
  const script = `
import time, torch
torch.manual_seed(0)
x = torch.randn(${SHAPE.join(', ')}, requires_grad=True)
bn, conv = torch.nn.BatchNorm2d(64), torch.nn.Conv2d(64, 64, 3, padding=1)
def t(m):
    ts = []
    for k in range(3 + ${RUNS}):
        x.grad = None
        s = time.perf_counter(); m(x).sum().backward(); ts.append(time.perf_counter() - s)
    ts = sorted(ts[3:]); return ts[len(ts) // 2] * 1000
b, c = t(bn), t(conv)
print(f"{b:.2f} {c:.2f} {torch.get_num_threads()}")`;
  try {
    const [b, c, threads] = execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).trim().split(' ').map(Number);
    return `PyTorch ${threads} thread(s): BatchNorm2d ${b!.toFixed(1)} ms, Conv2d ${c!.toFixed(1)} ms, ratio ${(b! / c!).toFixed(3)}`;
  } catch {
    return 'PyTorch: not available (apt-get install python3-torch to compare)';
  }
}

async function main(): Promise<void> {
  await enableAcceleration();
  manualSeed(0);
  const x = tf.variable(tf.randomNormal(SHAPE, 0, 1, 'float32', 1));
  const dy = tf.randomNormal(SHAPE, 0, 1, 'float32', 2);
  const bn = new BatchNorm2d(64);
  const conv = new Conv2d(64, 64, 3, { padding: 1 });
  const weighted = (y: tf.Tensor): tf.Scalar => tf.sum(tf.mul(y, dy));
  const bnTime = fwdBwd((v) => weighted(bn.call(v) as tf.Tensor), x, bn.parameters());
  const opsTime = fwdBwd((v) => weighted(batchNormAsOps(v, bn.weight!, bn.bias!)), x, bn.parameters());
  const convTime = fwdBwd((v) => weighted(conv.call(v) as tf.Tensor), x, conv.parameters());
  const row = (name: string, t: { median: number; fastest: number }): string =>
    `| ${name} | ${t.median.toFixed(1)} | ${t.fastest.toFixed(1)} | ${(t.median / convTime.median).toFixed(3)} | ${(t.fastest / convTime.fastest).toFixed(3)} |`;
  console.log(`forward + backward (dx, dweight, dbias) at [${SHAPE.join(', ')}], backend ${tf.getBackend()}, ${RUNS} runs`);
  console.log('| what | median ms | fastest ms | / Conv2d (medians) | / Conv2d (fastest) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(row('BatchNorm2d(64), training (PqBatchNormTrain kernels)', bnTime));
  console.log(row('batch norm as tfjs ops (moments, broadcasting affine)', opsTime));
  console.log(row('Conv2d(64, 64, 3, padding 1)', convTime));
  console.log(torchRatio());
}

await main();
