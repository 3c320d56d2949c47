// The README's examples are examples/quickstart.ts and examples/images.ts, and what each prints
// is what the README shows. They run on the fast path a user's program gets on Node (importing
// @pq/nn makes it the default), not on whatever backend the file before this one in the worker
// left behind (tfjs's stock cpu kernels run the quickstart three times slower).
import { join } from 'node:path';
import { disableAcceleration, enableAcceleration } from '@pq/nn';
import { exampleSource, printed, readmeBlocks } from '@pq/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await enableAcceleration();
});
afterAll(() => disableAcceleration());

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
