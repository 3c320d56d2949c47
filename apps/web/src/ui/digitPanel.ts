// Draw a digit: the float model, the QAT (int8 fake-quantized) model in pq and the exported
// int8 ONNX model in onnxruntime-web each give their class probabilities, side by side.
import * as tf from '@tensorflow/tfjs-core';
import { IMAGE_SIZE, NUM_CLASSES, PIXELS, type QuantModel, type Split, type TrainableModel } from '@pq/lenet-app/browser';
import { toMnistImage } from '../digitImage.js';
import { ortPredict } from '../onnxWeb.js';
import { el, showValue } from './dom.js';
import { DrawPad, PAD_SIZE } from './drawPad.js';

interface Models {
  float: TrainableModel;
  qat: QuantModel;
  onnx: Uint8Array;
}

const COLUMNS = [
  { id: 'float', title: 'float (pq)' },
  { id: 'int8', title: 'int8 QAT (pq fake quant)' },
  { id: 'ort', title: 'int8 ONNX (onnxruntime-web)' },
] as const;

function softmaxOfLog(logProbs: Float32Array): number[] {
  return Array.from(logProbs, (v) => Math.exp(v));
}

export class DigitPanel {
  readonly element: HTMLElement;
  private readonly pad: DrawPad;
  private readonly preview = el('canvas', { width: IMAGE_SIZE, height: IMAGE_SIZE, class: 'preview', 'data-testid': 'draw-preview' });
  private readonly table = el('table', { class: 'probs', 'data-testid': 'draw-table' });
  private readonly note = el('p', { class: 'muted', 'data-testid': 'draw-note', text: 'Train first; then draw a digit (white on black), or take a test digit.' });
  /** tfjs's live tensors after the last prediction: predicting must not leak any. */
  private readonly tensors = el('span', { 'data-testid': 'draw-tensors' });
  /** Predictions made so far (a test waits for the next one). */
  private readonly count = el('span', { 'data-testid': 'draw-count', 'data-value': 0, text: '0' });
  private models: Models | null = null;
  private test: Split | null = null;
  private sample = 0;

  constructor() {
    this.pad = new DrawPad((ink) => void this.predict(ink, PAD_SIZE).catch((e: unknown) => (this.note.textContent = `error: ${(e as Error).message}`)));
    const clear = el('button', { 'data-testid': 'draw-clear', text: 'Clear' });
    clear.addEventListener('click', () => this.pad.clear());
    const testDigit = el('button', { 'data-testid': 'draw-sample', text: 'A test digit' });
    testDigit.addEventListener('click', () => void this.showTestDigit());
    this.element = el('div', { class: 'row' },
      el('div', {}, this.pad.canvas, el('div', { class: 'controls' }, clear, testDigit)),
      el('div', {}, el('p', {}, 'what the models see: ', this.preview), this.table, this.note,
        el('p', { class: 'muted' }, 'predictions: ', this.count, '; tfjs tensors alive: ', this.tensors)));
  }

  ready(models: Models, test: Split): void {
    this.models = models;
    this.test = test;
    this.note.textContent = 'Draw a digit (white on black), or take a test digit.';
  }

  private async showTestDigit(): Promise<void> {
    if (!this.test) return;
    const i = (this.sample++ * 97) % this.test.count;
    // Undo the normalisation for display.
    const raw = this.test.images.slice(i * PIXELS, (i + 1) * PIXELS).map((v) => Math.min(1, Math.max(0, v * 0.3081 + 0.1307)));
    this.pad.paint(raw);
    await this.predict(raw, IMAGE_SIZE);
  }

  private async predict(ink: Float32Array, size: number): Promise<void> {
    if (!this.models) return;
    const img = toMnistImage(ink, size);
    if (!img) return;
    this.drawPreview(img.raw);
    const batch: Split = { images: img.normalised, labels: new Int32Array(1), count: 1 };
    const probs = [
      softmaxOfLog(this.models.float.predict(batch)),
      softmaxOfLog(this.models.qat.predict(batch)),
      softmaxOfLog(await ortPredict(this.models.onnx, img.normalised)),
    ];
    const best = probs.map((p) => p.indexOf(Math.max(...p)));
    this.table.replaceChildren(
      el('thead', {}, el('tr', {}, el('th', { text: 'digit' }), ...COLUMNS.map((c) => el('th', { text: c.title })))),
      el('tbody', {},
        el('tr', {}, el('td', { text: 'prediction' }), ...COLUMNS.map((c, k) => {
          const td = el('td', { 'data-testid': `draw-pred-${c.id}`, class: 'best' });
          showValue(td, best[k]!, String(best[k]));
          td.dataset['prob'] = String(probs[k]![best[k]!]);
          return td;
        })),
        ...Array.from({ length: NUM_CLASSES }, (_, d) => el('tr', {}, el('td', { text: String(d) }), ...probs.map((p, k) => el('td', { class: d === best[k] ? 'best' : undefined },
          el('span', { class: 'bar', style: `width:${(p[d]! * 80).toFixed(1)}px` }), `${(p[d]! * 100).toFixed(1)}%`))))),
    );
    this.note.textContent = best.every((b) => b === best[0]) ? 'All three agree.' : 'The models disagree on this one.';
    const n = tf.memory().numTensors;
    showValue(this.tensors, n, String(n));
    const made = Number(this.count.dataset['value']) + 1;
    showValue(this.count, made, String(made));
  }

  private drawPreview(raw: Float32Array): void {
    const ctx = this.preview.getContext('2d')!;
    const img = ctx.createImageData(IMAGE_SIZE, IMAGE_SIZE);
    for (let i = 0; i < raw.length; i++) {
      const v = Math.round(raw[i]! * 255);
      img.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
  }
}
