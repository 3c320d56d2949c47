import { describe, expect, it } from 'vitest';
import { ProgressBar, formatDuration, progressMode } from '../src/progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, write: (s: string) => chunks.push(s) } };
}

describe('ProgressBar', () => {
  it('picks tty, lines or silent', () => {
    expect(progressMode({ isTTY: true, write: () => 0 }, false)).toBe('tty');
    expect(progressMode({ isTTY: false, write: () => 0 }, false)).toBe('lines');
    expect(progressMode({ isTTY: true, write: () => 0 }, true)).toBe('silent');
  });

  it('shows running loss, samples/s and ETA', () => {
    let t = 0;
    const { out } = sink(false);
    const bar = new ProgressBar({ label: 'epoch 1/2', total: 1000, out, mode: 'lines', now: () => t });
    t = 1000;
    bar.tick(100, 2.0);
    t = 2000;
    bar.tick(100, 1.0);
    expect(bar.meanLoss).toBe(1.5);
    expect(bar.samplesPerSec).toBe(100);
    expect(bar.line()).toBe('epoch 1/2 [#####...................]  20%  loss 1.5000  100 samples/s  ETA 8s');
  });

  it('prints plain lines each quarter when not a TTY, and a final line', () => {
    let t = 0;
    const { out, chunks } = sink(false);
    const bar = new ProgressBar({ label: 'e', total: 100, out, mode: 'lines', now: () => (t += 10) });
    for (let i = 0; i < 10; i++) bar.tick(10, 0.5);
    bar.finish('test accuracy 97.00%');
    expect(chunks.length).toBe(4);
    expect(chunks.every((c) => c.endsWith('\n') && !c.includes('\r'))).toBe(true);
    expect(chunks[3]).toMatch(/100%.*test accuracy 97.00%\n$/);
  });

  it('prints each state once when not a TTY: one line for a batch that crosses several quarters, 100% only from finish', () => {
    const { out, chunks } = sink(false);
    const bar = new ProgressBar({ label: 'e', total: 100, out, mode: 'lines', now: () => 0 });
    bar.tick(60, 1);
    bar.tick(40, 1);
    bar.finish('done');
    expect(chunks.map((c) => c.match(/ +(\d+)%/)![1])).toEqual(['60', '100']);
    expect(chunks[1]).toMatch(/done\n$/);
    const one = sink(false);
    const single = new ProgressBar({ label: 'e', total: 120, out: one.out, mode: 'lines', now: () => 0 });
    single.tick(120);
    single.finish();
    expect(one.chunks.length).toBe(1);
  });

  it('redraws in place on a TTY and is silent with --quiet', () => {
    let t = 0;
    const tty = sink(true);
    const bar = new ProgressBar({ label: 'e', total: 100, out: tty.out, mode: 'tty', now: () => (t += 200) });
    bar.tick(50, 1);
    bar.tick(50, 1);
    bar.finish();
    expect(tty.chunks.every((c) => c.startsWith('\r'))).toBe(true);
    expect(tty.chunks.at(-1)).toMatch(/\n$/);
    const quiet = sink(true);
    const q = new ProgressBar({ label: 'e', total: 100, out: quiet.out, mode: 'silent' });
    q.tick(100, 1);
    q.finish('x');
    expect(quiet.chunks).toEqual([]);
  });

  it('formats durations and refuses an empty epoch', () => {
    expect([formatDuration(5.4), formatDuration(125), formatDuration(NaN)]).toEqual(['5s', '2m05s', '--']);
    expect(() => new ProgressBar({ label: 'e', total: 0, out: sink(false).out, mode: 'lines' })).toThrow(/total must be > 0, got 0/);
  });
});
