// tfjs-core's Node bundle (what `import '@tensorflow/tfjs-core'` loads) registers no gradient
// functions; they ship only as the per-file ES modules under dist/gradients, whose relative
// imports have no file extensions and so do not load under Node's ES module resolver. A resolve
// hook that adds the missing `.js` (or `/index.js`) for files inside tfjs-core's dist folder lets
// Node load `dist/register_all_gradients.js`. That module registers into tfjs's global gradient
// registry, which every copy of tfjs-core shares, so `tf.grad` then works everywhere.
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

/**
 * Registers every gradient function tfjs-core ships (Conv2D, MaxPool, MatMul, ...), once.
 * Idempotent and cheap after the first call; `enableAcceleration()` calls it.
 */
export function registerTfjsGradients(): Promise<void> {
  if (tfjsGradientsRegistered()) return Promise.resolve();
  loading ??= (async () => {
    register('data:text/javascript,' + encodeURIComponent(RESOLVE_HOOK));
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
    if (!tfjsGradientsRegistered()) {
      throw new Error('registerTfjsGradients: loading tfjs-core/dist/register_all_gradients.js registered no gradients');
    }
  })();
  return loading;
}
