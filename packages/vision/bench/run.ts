// `pnpm bench` in @pq/vision: ResNet-18 (numClasses 10) at 32x32, batch 32, on pq's accelerated
// path, float and quantized (quantize: true, max-calibrated: fake quant at every conv/linear
// input and weight and on each residual branch) — a training step (forward + cross entropy +
// backward + SGD with momentum) and an eval forward, in images per second — against the same
// in PyTorch in the same run (bench/resnet18_torch.py, where Debian's python3-torch is
// installed). Medians of per-step times after a warm-up. Options: --steps N (default 5), --no-torch.
import os from 'node:os';
import { runTorchScript, timeRuns } from '@pq/bench-utils';
import * as tf from '@tensorflow/tfjs-core';
import { F, enableAcceleration, enableCalibration, finishCalibration, manualSeed, type Module } from '@pq/nn';
import { resnet18 } from '../src/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const STEPS = arg('steps', 5);
const WARMUP = 2;
const BATCH = 32;

interface Rates { train: number; infer: number }

function measure(quantize: boolean, x: tf.Tensor, labels: tf.Tensor): Rates {
  manualSeed(0);
  const model: Module = resnet18({ quantize, numClasses: 10 });
  if (quantize) {
    model.eval();
    enableCalibration(model);
    tf.tidy(() => model.call(x));
    finishCalibration(model);
  }
  const optimizer = tf.train.momentum(0.01, 0.9);
  const params = model.parameters();
  model.train();
  const train = timeRuns(() => {
    const loss = optimizer.minimize(() => F.crossEntropy(model.call(x) as tf.Tensor, labels) as tf.Scalar, true, params)!;
    loss.dataSync();
    loss.dispose();
  }, { warmup: WARMUP, runs: STEPS });
  model.eval();
  const infer = timeRuns(() => tf.tidy(() => (model.call(x) as tf.Tensor).dataSync()), { warmup: WARMUP, runs: STEPS });
  optimizer.dispose();
  model.dispose();
  return { train: (BATCH * 1000) / train.median, infer: (BATCH * 1000) / infer.median };
}

async function main(): Promise<void> {
  const state = await enableAcceleration();
  console.log(`ResNet-18 (10 classes), 32x32, batch ${BATCH}, images/s (median of ${STEPS} after ${WARMUP} warm-up); pq on ${state.backend}`);
  const x = tf.randomNormal([BATCH, 3, 32, 32], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
  const pq = { float: measure(false, x, labels), quant: measure(true, x, labels) };
  const torch = runTorchScript<Record<string, number | string>>(new URL('./resnet18_torch.py', import.meta.url), [STEPS, WARMUP]);
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  console.log('| model | step | pq | PyTorch | pq / PyTorch |');
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const mode of ['float', 'quant'] as const) {
    for (const step of ['train', 'infer'] as const) {
      const mine = pq[mode][step];
      const theirs = torch === null ? null : Number(torch[`${step}_${mode}`]);
      const label = mode === 'float' ? 'float' : 'quantized';
      console.log(`| ${label} | ${step === 'train' ? 'training step' : 'inference'} | ${fmt(mine)} | ${theirs === null ? '-' : fmt(theirs)} | ${theirs === null ? '-' : `${(mine / theirs).toFixed(2)}x`} |`);
    }
  }
  if (torch) console.log(`pytorch ${torch['torch']}, ${torch['threads']} thread(s)`);
  else console.log('pytorch: not available (apt-get install python3-torch python3-torchvision to compare)');
  console.log(`load average at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  tf.dispose([x, labels]);
}

await main();
