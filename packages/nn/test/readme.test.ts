// The README's runnable examples are examples/*.ts, and what each prints is the README's output
// block after it. They run as the README says they were run: on Node's default (accelerated)
// backend, in a fresh folder for the files they write.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleSource, printed, readmeBlocks } from '@pq/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableAcceleration, enableAcceleration } from '../src/index.js';

const ROOT = join(import.meta.dirname, '..');
const blocks = readmeBlocks(join(ROOT, 'README.md'));

describe('README examples', () => {
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'pq-nn-readme-'));
  beforeAll(async () => {
    await enableAcceleration();
    process.chdir(dir);
  });
  afterAll(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
    disableAcceleration();
  });

  it.each([
    ['lenet-quant.ts', () => import('../examples/lenet-quant.js')],
    ['model-quant.ts', () => import('../examples/model-quant.js')],
    ['float-layers.ts', () => import('../examples/float-layers.js')],
    ['onnx-export.ts', () => import('../examples/onnx-export.js')],
  ])('examples/%s is in the README and prints what the README shows', async (name, load) => {
    const at = blocks.indexOf(exampleSource(join(ROOT, 'examples', name)));
    expect(at, `examples/${name} is not a README block`).toBeGreaterThanOrEqual(0);
    expect(await printed(load)).toBe(blocks[at + 1]);
  });
});
