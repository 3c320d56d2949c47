import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pendingTempFiles, writeFileAtomic } from '../src/node.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'app-kit-atomic-'));

describe('atomic writes', () => {
  it('writes through a temporary file and leaves only the final file', async () => {
    const dir = tmp();
    await writeFileAtomic(join(dir, 'sub', 'a.json'), 'A');
    await writeFileAtomic(join(dir, 'b.bin'), Uint8Array.from([1, 2, 3]));
    await writeFileAtomic(join(dir, 'sub', 'a.json'), 'A2');
    expect(readFileSync(join(dir, 'sub', 'a.json'), 'utf8')).toBe('A2');
    expect([...readFileSync(join(dir, 'b.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(dir).sort()).toEqual(['b.bin', 'sub']);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.json']);
    expect(pendingTempFiles()).toEqual([]);
  });

  it('removes the temporary file and names the target when the rename fails', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'taken', 'inner'), { recursive: true });
    writeFileSync(join(dir, 'taken', 'inner', 'x'), 'x');
    await expect(writeFileAtomic(join(dir, 'taken'), 'data')).rejects.toThrow(/writing .*taken: /);
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('Ctrl-C leaves the finished file and removes the half-written one', async () => {
    const dir = tmp();
    // A plain Node process, not a vitest worker (@pq/nn sets up tfjs differently there).
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
    const child = spawn(process.execPath, ['--conditions=@pq/source', '--import', 'tsx', fileURLToPath(new URL('./interruptChild.ts', import.meta.url)), dir], {
      stdio: ['ignore', 'pipe', 'pipe'], env,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    expect(readdirSync(dir).length).toBe(2);
    const code = await new Promise<number | null>((resolve) => {
      child.removeAllListeners('exit');
      child.on('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted \(SIGINT\): removed 1 unfinished file/);
    expect(readdirSync(dir)).toEqual(['summary.json']);
  });
});
