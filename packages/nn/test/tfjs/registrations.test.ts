// tfjs-core's gradients and chained tensor methods, as `import '@pq/nn'` registers them: the
// committed module is the generator's output for the installed tfjs-core, it covers every
// gradient and method tfjs-core ships, and they work (conv2d/maxPool gradients, x.reshape).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { registerTfjsGradients, tfjsGradientsRegistered } from './../../src/tfjs_setup.js';
import { OUTPUT, generate } from '../../scripts/build-tfjs-registrations.js';

const dist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json')), 'dist');
const shipped = (folder: string, suffix: string) =>
  readdirSync(join(dist, folder)).filter((f) => f.endsWith(suffix) && !f.includes('_test') && !f.startsWith('register_all'));

describe('tfjs-core registrations', () => {
  it('the committed module is what scripts/build-tfjs-registrations.ts generates', async () => {
    expect(await generate()).toBe(readFileSync(OUTPUT, 'utf8'));
  });

  it('registers a gradient for every kernel tfjs-core has one for, and every chained tensor method', () => {
    const kernels = shipped('gradients', '_grad.js').map((f) => f.replace(/_grad\.js$/, ''));
    expect(kernels.length).toBeGreaterThan(90);
    expect(kernels.filter((k) => tf.getGradient(k) === undefined)).toEqual([]);
    const methods = shipped('public/chained_ops', '.js').flatMap((f) =>
      [...readFileSync(join(dist, 'public/chained_ops', f), 'utf8').matchAll(/prototype\.(\w+) = function/g)].map((m) => m[1]!));
    expect(methods.length).toBeGreaterThan(120);
    const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
    expect(methods.filter((m) => typeof proto[m] !== 'function')).toEqual([]);
  });

  it('makes tf.grad work through conv2d and maxPool, and tensor methods work', async () => {
    await registerTfjsGradients();
    expect(tfjsGradientsRegistered()).toBe(true);
    await tf.setBackend('cpu');
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const w = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    const g = tf.grad((w2: tf.Tensor) => tf.sum(tf.maxPool(tf.conv2d(x, w2 as tf.Tensor4D, 1, 'valid'), 1, 1, 'valid')))(w);
    expect(Array.from(g.dataSync())).toEqual([9, 9, 9, 9]);
    const t = tf.tensor2d([[1, 5, 2], [7, 0, 3]]);
    expect(t.reshape([3, 2]).shape).toEqual([3, 2]);
    expect(Array.from(t.slice([0, 1], [2, 2]).dataSync())).toEqual([5, 2, 0, 3]);
    expect(Array.from(t.argMax(1).dataSync())).toEqual([1, 0]);
    expect(t.mean().dataSync()[0]).toBeCloseTo(3, 6);
  });
});
