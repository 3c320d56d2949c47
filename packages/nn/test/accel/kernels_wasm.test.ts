// The shipped kernel bytes are the compilation of the committed .wat source (wabt), and they
// run on the wasm backend's own heap.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { compileWat, generatedModule } from '@pq/wasm-build';
import { GENERATED_PATH, OPTIONS, WAT_PATH } from './../../scripts/build-wasm.js';
import { KERNELS_WASM } from './../../src/accel/kernels-wasm.js';
import { wasmKernels } from './../../src/accel/wasm_kernels.js';
import { onAccelerated } from './helpers.js';

describe('kernels.wat', () => {
  it('compiles to the committed kernels-wasm.ts, byte for byte', async () => {
    const bytes = await compileWat(readFileSync(WAT_PATH, 'utf8'), 'kernels.wat');
    expect(Array.from(KERNELS_WASM)).toEqual(Array.from(bytes));
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generatedModule(bytes, OPTIONS));
  });

  it('instantiates on the wasm backend, and not on cpu', async () => {
    await onAccelerated('wasm', () => expect(wasmKernels(tf.backend())).not.toBeNull());
    await onAccelerated('cpu', () => expect(wasmKernels(tf.backend())).toBeNull());
  });
});
