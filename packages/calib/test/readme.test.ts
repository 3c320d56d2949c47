// The README's example is examples/three-batches.ts, and what it prints is what the README shows.
import { join } from 'node:path';
import { exampleSource, printed, readmeBlocks } from '@pq/fixtures';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const blocks = readmeBlocks(join(ROOT, 'README.md'));

describe('README example', () => {
  it('is examples/three-batches.ts and prints what the README shows', async () => {
    expect(blocks[0]).toBe(exampleSource(join(ROOT, 'examples', 'three-batches.ts')));
    expect(await printed(() => import('../examples/three-batches.js'))).toBe(blocks[1]);
  });
});
