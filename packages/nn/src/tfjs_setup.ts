// Makes `import '@pq/nn'` enough for training on Node: registers the cpu backend and tfjs-core's
// gradient functions. tfjs-core's Node bundle registers no gradients; they ship only as per-file
// ES modules (dist/gradients/*.js) whose relative imports lack file extensions, which Node's ES
// module resolver refuses. A resolve hook adds the `.js` (or `/index.js`) for files inside
// tfjs-core's dist folder. The gradients land in tfjs's global registry, shared by every copy of
// tfjs-core, so `tf.grad` then works on convolutions, pooling and matmuls everywhere.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { register } from 'node:module';

const RESOLVE_HOOK = `
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (specifier.startsWith('.') && !specifier.endsWith('.js') && parent && parent.includes('/tfjs-core/dist/')) {
    const path = fileURLToPath(new URL(specifier, parent));
    if (existsSync(path + '.js')) return next(specifier + '.js', context);
    if (existsSync(path) && statSync(path).isDirectory()) return next(specifier + '/index.js', context);
  }
  return next(specifier, context);
}`;

let loading: Promise<void> | null = null;

/** True when tfjs has gradient functions registered (ours or someone else's). */
export function tfjsGradientsRegistered(): boolean {
  return tf.getGradient('Conv2D') !== undefined && tf.getGradient('MaxPool') !== undefined;
}

/** Registers every gradient function tfjs-core ships (Conv2D, MaxPool, MatMul, ...), once. */
export function registerTfjsGradients(): Promise<void> {
  if (tfjsGradientsRegistered()) return Promise.resolve();
  loading ??= (async () => {
    // Under vitest/vite the import resolves without the hook; plain Node needs it.
    if (typeof process !== 'undefined' && process.env['VITEST'] === undefined) {
      register('data:text/javascript,' + encodeURIComponent(RESOLVE_HOOK));
    }
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
    if (!tfjsGradientsRegistered()) {
      throw new Error('@pq/nn: loading tfjs-core/dist/register_all_gradients.js registered no gradients');
    }
  })();
  return loading;
}

await registerTfjsGradients();
