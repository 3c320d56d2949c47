// The README's examples are examples/quickstart.ts and examples/images.ts, and what each prints
// is what the README shows.
import { join } from 'node:path';
import { exampleSource, printed, readmeBlocks } from '@pq/fixtures';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const blocks = readmeBlocks(join(ROOT, 'README.md'));

describe('README image example', () => {
  const at = blocks.findIndex((b) => b.includes("from '@pq/vision';\n\n// A 40 x 30 PNG"));

  it('is examples/images.ts, and prints what the README shows', async () => {
    expect(blocks[at]).toBe(exampleSource(join(ROOT, 'examples', 'images.ts')));
    expect(await printed(() => import('../examples/images.js'))).toBe(blocks[at + 1]);
  });
});

describe('README example', () => {
  it('is examples/quickstart.ts', () => {
    expect(blocks[0]).toBe(exampleSource(join(ROOT, 'examples', 'quickstart.ts')));
  });

  it('prints what the README shows', async () => {
    expect(await printed(() => import('../examples/quickstart.js'))).toBe(blocks[1]);
  });
});
