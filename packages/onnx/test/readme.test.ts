// The README's example is examples/quickstart.ts, and what it prints is what the README shows.
import { join } from 'node:path';
import { exampleSource, printed, readmeBlocks } from '@pq/fixtures';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const blocks = readmeBlocks(join(ROOT, 'README.md'));

describe('README example', () => {
  it('is examples/quickstart.ts and prints what the README shows', async () => {
    expect(blocks[0]).toBe(exampleSource(join(ROOT, 'examples', 'quickstart.ts')));
    expect(await printed(() => import('../examples/quickstart.js'))).toBe(blocks[1]);
  });
});
