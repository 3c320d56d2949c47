// The README's example is examples/quickstart.ts, and what it prints is what the README shows.
import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => m[2]!);

/** What running `load` prints with console.log, one line per call. */
async function printed(load: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  try {
    await load();
  } finally {
    log.mockRestore();
  }
  return `${lines.join('\n')}\n`;
}

describe('README image example', () => {
  const at = blocks.findIndex((b) => b.includes("from '@pq/vision';\n\n// A 40 x 30 PNG"));

  it('is examples/images.ts, and prints what the README shows', async () => {
    const example = readFileSync(join(ROOT, 'examples', 'images.ts'), 'utf8').split('\n').slice(1).join('\n');
    expect(blocks[at]).toBe(example);
    expect(await printed(() => import('../examples/images.js'))).toBe(blocks[at + 1]);
  });
});

describe('README example', () => {
  it('is examples/quickstart.ts', () => {
    const example = readFileSync(join(ROOT, 'examples', 'quickstart.ts'), 'utf8').split('\n').slice(1).join('\n');
    expect(blocks[0]).toBe(example);
  });

  it('prints what the README shows', async () => {
    expect(await printed(() => import('../examples/quickstart.js'))).toBe(blocks[1]);
  });
});
