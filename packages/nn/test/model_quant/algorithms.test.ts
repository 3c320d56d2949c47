// SmoothQuant and AWQ against straightforward re-computations of their definitions, and AWQ
// against round-to-nearest on the layer output error it minimises.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from '@pq/fixtures';
import { fakeBlockQuant, reduceBlockAmax, type NDArray } from '@pq/core';
import {
  INT4_AWQ_CFG, INT4_BLOCKWISE_WEIGHT_ONLY_CFG, INT8_SMOOTHQUANT_CFG, Linear, Module, QuantLinear, Sequential, manualSeed, quantize,
} from '@pq/nn';

afterEach(() => vi.restoreAllMocks());

/** Activations with a few outlier channels (what SmoothQuant and AWQ are for). */
function acts(rows: number, inF: number, seed: number): tf.Tensor {
  return tf.tensor(seededValues(rows * inF, seed).map((v, i) => v * (i % inF < 3 ? 20 : 1)), [rows, inF]);
}
const nd = (t: tf.Tensor): NDArray => ({ data: Float32Array.from(t.dataSync()), shape: [...t.shape] });
const f = Math.fround;

function model(inF: number, out: number): { m: Sequential; w: Float32Array; b: Float32Array } {
  manualSeed(33);
  const m = new Sequential(new Linear(inF, out)).eval();
  const lin = m.at(0) as Linear;
  return { m, w: Float32Array.from(lin.weight.dataSync()), b: Float32Array.from(lin.bias!.dataSync()) };
}

describe('SmoothQuant', () => {
  it('per channel: preQuantScale = max|W_j|^(1-a) / max|X_j|^a, W·diag(1/preQuantScale), amax of the smoothed input and weight', () => {
    const [inF, out] = [6, 4];
    const { m, w } = model(inF, out);
    const xs = [acts(5, inF, 1), acts(5, inF, 2)];
    quantize(m, { ...INT8_SMOOTHQUANT_CFG, algorithm: { method: 'smoothquant', alpha: 0.5 } }, (mm) => xs.forEach((x) => tf.tidy(() => mm.call(x))));
    const lin = m.at(0) as QuantLinear;
    const xAmax = Array.from({ length: inF }, (_, j) => Math.max(...xs.flatMap((x) => Array.from(x.dataSync()).filter((_, i) => i % inF === j).map(Math.abs))));
    const wMax = Array.from({ length: inF }, (_, j) => Math.max(...Array.from(w).filter((_, i) => i % inF === j).map(Math.abs)));
    const p = xAmax.map((a, j) => f(Math.min(Math.max(wMax[j]! ** 0.5 / a ** 0.5, 1e-4), 1e4)));
    expect(Array.from(lin._input_quantizer.preQuantScale!.dataSync())).toEqual(p);
    const w2 = Array.from(w, (v, i) => f(v * f(1 / p[i % inF]!)));
    expect(Array.from(lin.weight.dataSync())).toEqual(w2);
    expect(lin._input_quantizer.amax!.dataSync()[0]).toBe(Math.max(...xAmax.map((a, j) => f(a * p[j]!))));
    expect(lin._input_quantizer.axis).toBeNull();
    const rowMax = Array.from({ length: out }, (_, r) => Math.max(...w2.slice(r * inF, (r + 1) * inF).map(Math.abs)));
    expect(Array.from(lin._weight_quantizer.amax!.dataSync())).toEqual(rowMax);
    m.dispose();
  });
});

/** mean((x·diag(1/s) Q(W·diag(s))ᵀ - x Wᵀ)²) with 4-bit blocks of 128, the bias cancelling. */
function layerMse(x: tf.Tensor, w: Float32Array, out: number, inF: number, s: Float32Array | null, amax?: NDArray): number {
  const ws = { data: s === null ? w : Float32Array.from(w, (v, i) => v * s[i % inF]!), shape: [out, inF] };
  const q = fakeBlockQuant(ws, amax ?? reduceBlockAmax(ws, { [-1]: 128 }), { [-1]: 128 }, { numBits: 4, narrowRange: false });
  return tf.tidy(() => {
    const xs = s === null ? x : tf.mul(x, tf.div(1, tf.tensor(s, [1, inF])));
    const d = tf.sub(tf.matMul(xs, tf.tensor(q.data, [out, inF]), false, true), tf.matMul(x, tf.tensor(w, [out, inF]), false, true));
    return tf.mean(tf.mul(d, d)).dataSync()[0]!;
  });
}

describe('AWQ', () => {
  const [inF, out] = [256, 6];
  const xs = [acts(8, inF, 3), acts(8, inF, 4)];
  const loop = (mm: Module) => xs.forEach((x) => tf.tidy(() => mm.call(x)));

  it('awq_lite picks the alpha of least layer error, with s = x̄^a / w̄^(1-a) normalised, and beats round-to-nearest', () => {
    const { m, w } = model(inF, out);
    quantize(m, INT4_AWQ_CFG, loop);
    const lin = m.at(0) as QuantLinear;
    // x̄: mean |x_j| per batch, averaged over batches; w̄: mean over rows of |W_ij| / block amax.
    const xbar = Array.from({ length: inF }, (_, j) => xs.reduce((acc, x) => acc + Array.from(x.dataSync()).filter((_, i) => i % inF === j).reduce((a, v) => a + Math.abs(v) / 8, 0), 0) / 2);
    const wbar = Array.from({ length: inF }, (_, j) => {
      let sum = 0;
      for (let r = 0; r < out; r++) {
        const b0 = Math.floor(j / 128) * 128;
        const m0 = Math.max(...Array.from(w.slice(r * inF + b0, r * inF + b0 + 128), Math.abs));
        sum += f(Math.abs(w[r * inF + j]!) / f(m0 + 1.1754943508222875e-38));
      }
      return sum / out;
    });
    const scale = (a: number) => {
      const raw = xbar.map((x, j) => Math.min(Math.max(x ** a / (wbar[j]! ** (1 - a) + 1.1754943508222875e-38), 1e-4), 1e4));
      const norm = Math.sqrt(Math.max(...raw) * Math.min(...raw));
      return Float32Array.from(raw, (v) => v / norm);
    };
    const alphas = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
    const losses = alphas.map((a) => xs.reduce((acc, x) => acc + layerMse(x, w, out, inF, scale(a)), 0));
    const best = alphas[losses.indexOf(Math.min(...losses))]!;
    const s = scale(best);
    expect(Array.from(lin._input_quantizer.preQuantScale!.dataSync())).toEqual(Array.from(s, (v) => f(1 / v)));
    // The quantized layer's output error against round-to-nearest (no scaling) on the same data.
    const awqErr = xs.reduce((acc, x) => acc + layerMse(x, w, out, inF, s), 0);
    const rtnErr = xs.reduce((acc, x) => acc + layerMse(x, w, out, inF, null), 0);
    expect(awqErr).toBeLessThan(rtnErr);
    const rtn = model(inF, out).m;
    quantize(rtn, INT4_BLOCKWISE_WEIGHT_ONLY_CFG, loop);
    const outErr = (mm: Module, ref: Module) => xs.reduce((acc, x) => acc + tf.tidy(() => tf.mean(tf.square(tf.sub(mm.call(x) as tf.Tensor, ref.call(x) as tf.Tensor))).dataSync()[0]!), 0);
    const float = model(inF, out).m;
    expect(outErr(m, float)).toBeLessThan(outErr(rtn, float));
    for (const mm of [m, rtn, float]) mm.dispose();
  });

  it('awq_clip keeps, per block, the clip ratio of least partial-product error (ratio 1 included)', () => {
    const { m, w } = model(inF, out);
    quantize(m, { ...INT4_AWQ_CFG, algorithm: { method: 'awq_clip', maxTokensPerBatch: 4 } }, loop);
    const amax = (m.at(0) as QuantLinear)._weight_quantizer.amax!;
    const w0 = reduceBlockAmax({ data: w, shape: [out, inF] }, { [-1]: 128 });
    const ratios = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1];
    const tokens = xs.map((x) => Array.from({ length: 4 }, (_, k) => x.dataSync().slice(2 * k * inF, (2 * k + 1) * inF)));
    const want: number[] = [];
    for (let r = 0; r < out; r++) {
      for (let b = 0; b < 2; b++) {
        const loss = ratios.map((ratio) => {
          const a = Float32Array.from(w0.data, (v) => f(v * f(ratio)));
          const q = fakeBlockQuant({ data: w, shape: [out, inF] }, { data: a, shape: [out, 2] }, { [-1]: 128 }, { numBits: 4, narrowRange: false }).data;
          return tokens.reduce((acc, ts) => acc + ts.reduce((s, t) => {
            let d = 0;
            for (let j = b * 128; j < (b + 1) * 128; j++) d += t[j]! * (w[r * inF + j]! - q[r * inF + j]!);
            return s + d * d;
          }, 0) / ts.length, 0);
        });
        let k = 0;
        for (let i = 1; i < loss.length; i++) if (loss[i]! < loss[k]!) k = i;
        want.push(f(w0.data[r * 2 + b]! * f(ratios[k]!)));
      }
    }
    expect(Array.from(amax.dataSync())).toEqual(want);
    m.dispose();
  });
});
