// A small real model for testing the pipeline's orchestration without @pq/nn: softmax
// regression (784 -> 10) trained with SGD + momentum 0.9 on nll of log-softmax; its
// "quantized" variant fake-quantizes its input (8-bit, per tensor) with a calibrated amax.
import type { CalibMethod } from '../src/args.js';
import { PIXELS, type Split } from '../src/data/dataset.js';
import type { ModelFactory, QuantModel, StateDict, TrainableModel } from '../src/model.js';
import type { CalibHistogram } from '@pq/app-kit/report';
import { mulberry32 } from '@pq/app-kit';

const C = 10;

class Softmax implements TrainableModel {
  w: Float32Array;
  b: Float32Array;
  private vw = new Float32Array(C * PIXELS);
  private vb = new Float32Array(C);
  inputAmax: number | null = null;

  constructor(seed: number, weights: StateDict | null) {
    const rng = mulberry32(seed);
    this.w = weights ? Float32Array.from(weights['fc.weight']!.data) : Float32Array.from({ length: C * PIXELS }, () => (rng.next() - 0.5) * 0.01);
    this.b = weights ? Float32Array.from(weights['fc.bias']!.data) : new Float32Array(C);
  }

  protected input(batch: Split): Float32Array {
    const amax = this.inputAmax;
    if (amax === null) return batch.images;
    const scale = 127 / amax;
    return batch.images.map((v) => Math.max(-127, Math.min(127, Math.round(v * scale))) / scale);
  }

  predict(batch: Split): Float32Array {
    const x = this.input(batch);
    const out = new Float32Array(batch.count * C);
    for (let n = 0; n < batch.count; n++) {
      let max = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = this.b[c]!;
        for (let p = 0; p < PIXELS; p++) s += this.w[c * PIXELS + p]! * x[n * PIXELS + p]!;
        out[n * C + c] = s;
        max = Math.max(max, s);
      }
      let z = 0;
      for (let c = 0; c < C; c++) z += Math.exp(out[n * C + c]! - max);
      for (let c = 0; c < C; c++) out[n * C + c] = out[n * C + c]! - max - Math.log(z);
    }
    return out;
  }

  trainStep(batch: Split, lr: number): number {
    const x = this.input(batch);
    const logp = this.predict(batch);
    const gw = new Float32Array(C * PIXELS);
    const gb = new Float32Array(C);
    let loss = 0;
    for (let n = 0; n < batch.count; n++) {
      loss -= logp[n * C + batch.labels[n]!]!;
      for (let c = 0; c < C; c++) {
        const g = (Math.exp(logp[n * C + c]!) - (c === batch.labels[n] ? 1 : 0)) / batch.count;
        gb[c] += g;
        for (let p = 0; p < PIXELS; p++) gw[c * PIXELS + p] += g * x[n * PIXELS + p]!;
      }
    }
    for (let i = 0; i < gw.length; i++) this.w[i] -= lr * (this.vw[i] = 0.9 * this.vw[i]! + gw[i]!);
    for (let i = 0; i < C; i++) this.b[i] -= lr * (this.vb[i] = 0.9 * this.vb[i]! + gb[i]!);
    return loss / batch.count;
  }

  stateDict(): StateDict {
    const d: StateDict = { 'fc.weight': { data: Float32Array.from(this.w), shape: [C, PIXELS] }, 'fc.bias': { data: Float32Array.from(this.b), shape: [C] } };
    if (this.inputAmax !== null) d['fc._input_quantizer._amax'] = { data: Float32Array.of(this.inputAmax), shape: [] };
    return d;
  }

  dispose(): void {}
}

class QuantSoftmax extends Softmax implements QuantModel {
  private seen: number[] = [];

  constructor(seed: number, weights: StateDict, private readonly calibrator: 'max' | 'histogram') {
    super(seed, weights);
  }

  collect(batches: Iterable<Split>): void {
    for (const b of batches) for (const v of b.images) this.seen.push(Math.abs(v));
    this.seen.sort((a, b) => a - b);
  }

  finishCalibration(method: CalibMethod): void {
    if ((method === 'max') !== (this.calibrator === 'max')) throw new Error(`tiny model: ${method} with a ${this.calibrator} calibrator`);
    const q = { max: 1, percentile: 0.9999, mse: 0.999, entropy: 0.99 }[method];
    this.inputAmax = this.seen[Math.min(this.seen.length - 1, Math.floor(q * this.seen.length))]!;
  }

  histograms(): CalibHistogram[] {
    if (this.calibrator === 'max') return [];
    const top = this.seen.at(-1)!;
    const counts = new Float64Array(64);
    for (const v of this.seen) counts[Math.min(63, Math.floor((v / top) * 64))]++;
    return [{ quantizer: 'fc._input_quantizer', edges: Float64Array.from({ length: 65 }, (_, i) => (top * i) / 64), counts }];
  }

  exportOnnx(): Uint8Array {
    throw new Error('the tiny test model has no ONNX export');
  }
}

export const tinyModels: ModelFactory = {
  createFloat: (seed, weights) => new Softmax(seed, weights),
  createQuant: (weights, calibrator, seed) => new QuantSoftmax(seed, weights, calibrator),
  loadWeights: () => {
    throw new Error('the tiny test model loads no files');
  },
  encodeSafetensors: (dict) => new TextEncoder().encode(JSON.stringify(Object.keys(dict))),
};
