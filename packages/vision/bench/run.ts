// `pnpm bench` in @pq/vision: ResNet-18 and MobileNetV2 (numClasses 10) at 32x32, batch 32, on
// pq's accelerated path on 1 thread and, in a worker process, on 2, float and quantized (createModel's quantize: true, max-calibrated: fake
// quant at every conv/linear input and weight, and for ResNet on each residual branch) — a
// training step (forward + cross entropy + backward + SGD with momentum) and an eval forward, in
// images per second — against the same in PyTorch on 1 and on 2 threads in the same run
// (bench/models_torch.py, where Debian's python3-torch is installed). Medians of per-step times
// after a warm-up step, the float and quantized models' steps interleaved. Options: --steps N (default 3), --models a,b (default resnet18,mobilenet_v2),
// --threads N (pq's second column, default 2; 1: none), --no-torch.
import os from 'node:os';
import { benchArg, describeAcceleration, forkBenchWorker, median, runTorchScript, serveBenchRequests } from '@pq/bench-utils';
import * as tf from '@tensorflow/tfjs-core';
import { F, MomentumSGD, enableAcceleration, enableCalibration, finishCalibration, manualSeed, type Module } from '@pq/nn';
import { createModel, type ModelName } from '../src/index.js';

const STEPS = Number(benchArg('steps', '3'));
const MODELS = benchArg('models', 'resnet18,mobilenet_v2').split(',') as ModelName[];
const THREADS = Number(benchArg('threads', '2'));
const WARMUP = 1;
const BATCH = 32;

interface Rates { train: number; infer: number }
type Pair = { float: Rates; quant: Rates };

/** A model ready to time: one training step, one eval forward, and its disposal. */
interface Timed { train(): void; infer(): void; dispose(): void }

function prepare(name: ModelName, quantize: boolean, x: tf.Tensor, labels: tf.Tensor): Timed {
  manualSeed(0);
  const model: Module = createModel(name, { quantize, numClasses: 10 });
  if (quantize) {
    model.eval();
    enableCalibration(model);
    tf.tidy(() => model.call(x));
    finishCalibration(model);
  }
  const optimizer = new MomentumSGD(0.01, 0.9);
  const params = model.parameters();
  return {
    train: () => {
      model.train();
      const loss = optimizer.minimize(() => F.crossEntropy(model.call(x) as tf.Tensor, labels) as tf.Scalar, true, params)!;
      loss.dataSync();
      loss.dispose();
    },
    infer: () => {
      model.eval();
      const y = tf.tidy(() => model.call(x) as tf.Tensor);
      y.dataSync();
      y.dispose();
    },
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}

/**
 * Rates of the float and the quantized model, their steps interleaved (float, quantized, float,
 * ...) so that both see the same load on a shared machine: the quantized/float ratio compares
 * like with like.
 */
function measure(name: ModelName): Pair {
  const x = tf.randomNormal([BATCH, 3, 32, 32], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
  const models = [prepare(name, false, x, labels), prepare(name, true, x, labels)] as const;
  const rates = (step: 'train' | 'infer'): number[] => {
    const times: number[][] = [[], []];
    for (let i = 0; i < WARMUP + STEPS; i++) {
      models.forEach((m, j) => {
        const t0 = performance.now();
        m[step]();
        if (i >= WARMUP) times[j]!.push(performance.now() - t0);
      });
    }
    return times.map((t) => (BATCH * 1000) / median(t));
  };
  const [train, infer] = [rates('train'), rates('infer')];
  models.forEach((m) => m.dispose());
  tf.dispose([x, labels]);
  return { float: { train: train[0]!, infer: infer[0]! }, quant: { train: train[1]!, infer: infer[1]! } };
}

type TorchRates = Record<string, number | string>;

/** The worker process: pq on THREADS threads, one model per request. */
async function serve(): Promise<void> {
  await enableAcceleration({ threads: THREADS });
  serveBenchRequests<ModelName, Pair>((name) => measure(name));
}

async function main(): Promise<void> {
  const state = await enableAcceleration();
  console.log(
    `32x32, batch ${BATCH}, 10 classes, images/s (median of ${STEPS} after ${WARMUP} warm-up); pq on ${describeAcceleration(state)}; ` +
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const worker = THREADS > 1 ? forkBenchWorker<ModelName, Pair>(new URL(import.meta.url), ['--worker', '--threads', THREADS, '--steps', STEPS]) : null;
  await worker?.ready; // its start-up would share the CPU with the first measurements
  const threads = worker ? [1, THREADS] : [1];
  const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const rows: string[] = [];
  let torchVersion: string | null = null;
  for (const name of MODELS) {
    const pq: Pair[] = [measure(name)];
    if (worker) pq.push(await worker.call(name));
    console.log(`  pq ${name}: ${JSON.stringify(pq)}`);
    const script = new URL('./models_torch.py', import.meta.url);
    const torch = threads.map((t) => runTorchScript<TorchRates>(script, [name, STEPS, WARMUP, t]));
    torchVersion ??= torch[0] ? String(torch[0]['torch']) : null;
    for (const mode of ['float', 'quant'] as const) {
      for (const step of ['train', 'infer'] as const) {
        const cols = threads.map((_, i) => {
          const mine = pq[i]![mode][step];
          const t = torch[i];
          if (!t) return ` ${fmt(mine)} | - | - |`;
          const theirs = Number(t[`${step}_${mode}`]);
          return ` ${fmt(mine)} | ${fmt(theirs)} | ${(mine / theirs).toFixed(2)}x |`;
        }).join('');
        const quantCol = mode === 'quant' ? `${(pq[0]!.float[step] / pq[0]!.quant[step]).toFixed(2)}x` : '';
        rows.push(`| ${name} | ${mode === 'float' ? 'float' : 'quantized'} | ${step === 'train' ? 'training step' : 'inference'} |${cols} ${quantCol} |`);
      }
    }
  }
  worker?.close();
  console.log('\npq / PyTorch on the same number of threads: above 1, pq is faster; quantized/float: the quantized step\'s time over the float step\'s (pq, 1 thread)');
  console.log(`| model | weights | step |${threads.map((t) => ` pq ${t} thread${t > 1 ? 's' : ''} | PyTorch | pq / PyTorch |`).join('')} quantized/float |`);
  console.log(`| --- | --- | --- |${threads.map(() => ' ---: | ---: | ---: |').join('')} ---: |`);
  for (const r of rows) console.log(r);
  if (torchVersion) console.log(`pytorch ${torchVersion}`);
  else console.log('pytorch: not available (apt-get install python3-torch python3-torchvision to compare)');
  console.log(`load average at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
}

if (process.argv.includes('--worker')) await serve();
else await main();
