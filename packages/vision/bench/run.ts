// `pnpm bench` in @pq/vision: ResNet-18 and MobileNetV2 (numClasses 10) at 32x32, batch 32, on
// pq's accelerated path, float and quantized (createModel's quantize: true, max-calibrated: fake
// quant at every conv/linear input and weight, and for ResNet on each residual branch) — a
// training step (forward + cross entropy + backward + SGD with momentum) and an eval forward, in
// images per second — against the same in PyTorch on 1 and on 2 threads in the same run
// (bench/models_torch.py, where Debian's python3-torch is installed). Medians of per-step times
// after a warm-up step. Options: --steps N (default 3), --models a,b (default resnet18,mobilenet_v2),
// --no-torch.
import os from 'node:os';
import { runTorchScript, timeRuns } from '@pq/bench-utils';
import * as tf from '@tensorflow/tfjs-core';
import { F, enableAcceleration, enableCalibration, finishCalibration, manualSeed, type Module } from '@pq/nn';
import { createModel, type ModelName } from '../src/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
const STEPS = Number(arg('steps', '3'));
const MODELS = arg('models', 'resnet18,mobilenet_v2').split(',') as ModelName[];
const WARMUP = 1;
const BATCH = 32;

interface Rates { train: number; infer: number }

function measure(name: ModelName, quantize: boolean, x: tf.Tensor, labels: tf.Tensor): Rates {
  manualSeed(0);
  const model: Module = createModel(name, { quantize, numClasses: 10 });
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
  const infer = timeRuns(() => {
    const y = tf.tidy(() => model.call(x) as tf.Tensor);
    y.dataSync();
    y.dispose();
  }, { warmup: WARMUP, runs: STEPS });
  optimizer.dispose();
  model.dispose();
  return { train: (BATCH * 1000) / train.median, infer: (BATCH * 1000) / infer.median };
}

type TorchRates = Record<string, number | string>;

async function main(): Promise<void> {
  const state = await enableAcceleration();
  console.log(
    `32x32, batch ${BATCH}, 10 classes, images/s (median of ${STEPS} after ${WARMUP} warm-up); pq on ${state.backend}; ` +
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}`,
  );
  const x = tf.randomNormal([BATCH, 3, 32, 32], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const rows: string[] = [];
  let torchVersion: string | null = null;
  for (const name of MODELS) {
    const pq = { float: measure(name, false, x, labels), quant: measure(name, true, x, labels) };
    console.log(`  pq ${name}: ${JSON.stringify(pq)}`);
    const script = new URL('./models_torch.py', import.meta.url);
    const torch = [1, 2].map((t) => runTorchScript<TorchRates>(script, [name, STEPS, WARMUP, t]));
    torchVersion ??= torch[0] ? String(torch[0]['torch']) : null;
    for (const mode of ['float', 'quant'] as const) {
      for (const step of ['train', 'infer'] as const) {
        const mine = pq[mode][step];
        const cols = torch.map((t) => {
          if (t === null) return ' - | - |';
          const theirs = Number(t[`${step}_${mode}`]);
          return ` ${fmt(theirs)} | ${(mine / theirs).toFixed(2)}x |`;
        }).join('');
        const quantCol = mode === 'quant' ? `${(pq.float[step] / mine).toFixed(2)}x` : '';
        rows.push(`| ${name} | ${mode === 'float' ? 'float' : 'quantized'} | ${step === 'train' ? 'training step' : 'inference'} | ${fmt(mine)} | ${quantCol} |${cols}`);
      }
    }
  }
  console.log('\npq / PyTorch: above 1, pq is faster; quantized/float: the quantized step\'s time over the float step\'s');
  console.log('| model | weights | step | pq | pq quantized/float time | PyTorch 1 thread | pq / PyTorch | PyTorch 2 threads | pq / PyTorch |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(r);
  if (torchVersion) console.log(`pytorch ${torchVersion}`);
  else console.log('pytorch: not available (apt-get install python3-torch python3-torchvision to compare)');
  console.log(`load average at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  tf.dispose([x, labels]);
}

await main();
