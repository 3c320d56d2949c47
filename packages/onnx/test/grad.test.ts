// Gradients through every supported op: on tfjs's cpu backend against central differences
// (for the ops without kinks), and on the accelerated path (enableAcceleration: the wasm
// backend with pq's kernels) equal to the cpu backend's.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { disableAcceleration, enableAcceleration } from '@pq/nn';
import { importOnnx, type OnnxModule } from '../src/index.js';
import { OP_CASES, caseInputs, type OpCase } from './op_cases.js';
import { seeded } from './helpers.js';

const CASES = OP_CASES.filter((c) => !c.noGrad);

interface Prepared {
  c: OpCase;
  model: OnnxModule;
  inputs: tf.Variable[];
  weights: tf.Tensor[];
}

/** sum over float outputs of sum(output * fixed weights), a scalar every input and parameter feeds. */
function loss(p: Prepared, inputs: readonly tf.Tensor[]): tf.Scalar {
  const outs = [p.model.call(...inputs) as tf.Tensor | tf.Tensor[]].flat().filter((t) => t.dtype === 'float32');
  return tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, p.weights[i]!)))) as tf.Scalar;
}

function gradients(p: Prepared): Float32Array[] {
  const vars = [...p.inputs.filter((v) => v.dtype === 'float32'), ...p.model.parameters()];
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => loss(p, p.inputs), vars);
    return vars.map((v) => Float32Array.from(grads[v.name]!.dataSync()));
  });
}

const prepared: Prepared[] = CASES.map((c) => {
  const model = importOnnx(c.bytes);
  const inputs = caseInputs(c, 5).map((t) => tf.variable(t, t.dtype === 'float32'));
  const outs = tf.tidy(() => [model.call(...inputs) as tf.Tensor | tf.Tensor[]].flat().filter((t) => t.dtype === 'float32').map((t) => t.shape));
  return { c, model, inputs, weights: outs.map((s, i) => seeded([...s], 90 + i)) };
});
const onCpu = new Map<string, Float32Array[]>();

afterAll(() => {
  disableAcceleration();
  for (const p of prepared) {
    p.model.dispose();
    tf.dispose([...p.inputs, ...p.weights]);
  }
});

describe('gradients through imported ops', () => {
  it('cpu: finite everywhere; equal to central differences where the op is smooth', () => {
    for (const p of prepared) {
      const g = gradients(p);
      onCpu.set(p.c.name, g);
      for (const a of g) expect(a.every(Number.isFinite), p.c.name).toBe(true);
      if (p.c.kinked) continue;
      // Directional derivative along a fixed direction v of the float inputs.
      const floats = p.inputs.filter((v) => v.dtype === 'float32');
      const dirs = floats.map((v, i) => seeded([...v.shape], 70 + i));
      const eps = 1e-2;
      const at = (sign: number) => tf.tidy(() => loss(p, p.inputs.map((v) => {
        const k = floats.indexOf(v);
        return k < 0 ? v : tf.add(v, tf.mul(dirs[k]!, sign * eps));
      })).dataSync()[0]!);
      const numeric = (at(1) - at(-1)) / (2 * eps);
      const analytic = dirs.reduce((s, d, k) => s + Array.from(d.dataSync()).reduce((a: number, x, i) => a + x * g[k]![i]!, 0), 0);
      expect(Math.abs(numeric - analytic), `${p.c.name}: ${numeric} vs ${analytic}`).toBeLessThanOrEqual(2e-2 * (1 + Math.abs(analytic)));
      tf.dispose(dirs);
    }
  });

  it('accelerated (wasm): the same gradients', async () => {
    await enableAcceleration();
    expect(tf.getBackend()).toBe('wasm');
    for (const p of prepared) {
      const g = gradients(p);
      const ref = onCpu.get(p.c.name)!;
      g.forEach((a, i) => {
        let worst = 0;
        for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - ref[i]![j]!) / (1 + Math.abs(ref[i]![j]!)));
        expect(worst, `${p.c.name}, gradient ${i}`).toBeLessThanOrEqual(1e-4);
      });
    }
  });
});
