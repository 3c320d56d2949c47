import * as tf from '@tensorflow/tfjs-core';
import { F, MomentumSGD, enableAcceleration, enableCalibration, finishCalibration, manualSeed, type Module } from '@pq/nn';
import { createModel, type ModelName } from '../src/index.js';
const name = (process.argv[2] ?? 'resnet18') as ModelName;
const quantize = process.argv[3] === 'q';
const threads = Number(process.argv[4] ?? '1');
await enableAcceleration({ threads });
const stack: number[] = [];
const parents: string[] = [];
const times = new Map<string, { ms: number; n: number }>();
for (const k of tf.getKernelsForBackend('wasm')) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  tf.registerKernel({ ...k, kernelFunc: (args: any) => {
    const t0 = performance.now();
    stack.push(0);
    parents.push(k.kernelName);
    const r = f(args);
    parents.pop();
    const child = stack.pop()!;
    const inc = performance.now() - t0;
    if (stack.length) stack[stack.length - 1] += inc;
    const dt = inc - child;
    let key = k.kernelName;
    if (key === 'Slice' || key === 'PadV2') key = `${key} ${args.inputs.x.shape.join('x')}`;
    if (key === 'Conv2D' || key === 'Transpose') { const a = args.attrs; key = `${key}<${parents.at(-1) ?? ''} ${args.inputs.x.shape.join('x')} ${key === 'Conv2D' ? args.inputs.filter.shape.join('x') + ' s' + a.strides + ' p' + JSON.stringify(a.pad) : a.perm}`; }
    const e = times.get(key) ?? { ms: 0, n: 0 };
    e.ms += dt; e.n++; times.set(key, e);
    return r;
  } });
}
manualSeed(0);
const BATCH = 32;
const x = tf.randomNormal([BATCH, 3, 32, 32], 0, 1, 'float32', 1);
const labels = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
const model: Module = createModel(name, { quantize, numClasses: 10 });
if (quantize) { model.eval(); enableCalibration(model); tf.tidy(() => model.call(x)); finishCalibration(model); }
const opt = new MomentumSGD(0.01, 0.9);
const params = model.parameters();
model.train();
const step = () => { const loss = opt.minimize(() => F.crossEntropy(model.call(x) as tf.Tensor, labels) as tf.Scalar, true, params)!; loss.dataSync(); loss.dispose(); };
step(); step();
times.clear();
const N = 5;
const t0 = performance.now();
for (let i = 0; i < N; i++) step();
const total = (performance.now() - t0) / N;
let sum = 0;
const rows = [...times.entries()].map(([k, v]) => [k, v.ms / N, v.n / N] as const).sort((a, b) => b[1] - a[1]);
for (const [, ms] of rows) sum += ms;
console.log(`${name} ${quantize ? 'quant' : 'float'} threads ${threads}: step ${total.toFixed(1)} ms (${(BATCH*1000/total).toFixed(1)} img/s), kernels ${sum.toFixed(1)} ms, outside ${(total - sum).toFixed(1)} ms, kernel calls ${rows.reduce((a, r) => a + r[2], 0)}`);
for (const [k, ms, n] of rows.slice(0, Number(process.env.TOP ?? 30))) console.log(`  ${k.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms  ${n} calls`);
