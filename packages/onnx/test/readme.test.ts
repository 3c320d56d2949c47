// The README's example is examples/quickstart.ts, and what it prints is what the README shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => m[2]!);

describe('README example', () => {
  it('is examples/quickstart.ts and prints what the README shows', async () => {
    const example = readFileSync(join(ROOT, 'examples', 'quickstart.ts'), 'utf8').split('\n').slice(1).join('\n');
    expect(blocks[0]).toBe(example);
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    try {
      await import('../examples/quickstart.js');
    } finally {
      log.mockRestore();
    }
    expect(`${lines.join('\n')}\n`).toBe(blocks[1]);
  });
});
