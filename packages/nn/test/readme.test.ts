// The README's runnable examples are examples/*.ts, and what each prints is the README's output
// block after it. They run as the README says they were run: on Node's default (accelerated)
// backend, in a fresh folder for the files they write.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { disableAcceleration, enableAcceleration } from '../src/index.js';

const ROOT = join(import.meta.dirname, '..');
const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => m[2]!);

/** What importing the example prints with console.log (formatted as Node's console does). */
async function printed(load: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(format(...args)));
  try {
    await load();
  } finally {
    log.mockRestore();
  }
  return `${lines.join('\n')}\n`;
}

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
    const example = readFileSync(join(ROOT, 'examples', name), 'utf8').split('\n').slice(1).join('\n');
    const at = blocks.indexOf(example);
    expect(at, `examples/${name} is not a README block`).toBeGreaterThanOrEqual(0);
    expect(await printed(load)).toBe(blocks[at + 1]);
  });
});
