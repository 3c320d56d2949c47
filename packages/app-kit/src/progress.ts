// One progress bar per epoch (or per calibration / evaluation pass): running loss, samples/s
// and ETA. On a terminal it redraws one
// line in place; when the output is not a TTY (CI logs, pipes) it prints a plain line every
// quarter of the epoch (each line once; the 100% line is finish()'s); with --quiet it prints nothing.

export type ProgressMode = 'tty' | 'lines' | 'silent';

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export function progressMode(out: ProgressOutput, quiet: boolean): ProgressMode {
  if (quiet) return 'silent';
  return out.isTTY ? 'tty' : 'lines';
}

export interface ProgressOptions {
  /** Shown first, e.g. "float epoch 3/10". */
  label: string;
  /** Samples in the epoch. */
  total: number;
  out: ProgressOutput;
  mode: ProgressMode;
  /** Milliseconds clock (injectable for tests). */
  now?: () => number;
  /** Show the running loss (default true; false for passes that compute none, e.g. evaluation). */
  showLoss?: boolean;
  /** Lines mode: lines per pass, the last one at the end (default 4; 1 prints only the final line). */
  lineSteps?: number;
}

const BAR_WIDTH = 24;
const TTY_REDRAW_MS = 100;
const LINE_STEPS = 4;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(s % 60).padStart(2, '0')}s`;
}

export class ProgressBar {
  private readonly now: () => number;
  private readonly start: number;
  private lastDraw = -Infinity;
  private nextLineStep = 1;
  private done = 0;
  private lossSum = 0;
  private lossSamples = 0;
  private finished = false;

  constructor(private readonly o: ProgressOptions) {
    if (!(o.total > 0)) throw new Error(`progress: total must be > 0, got ${o.total}`);
    this.now = o.now ?? (() => performance.now());
    this.start = this.now();
  }

  /** Mean training loss over the samples seen so far this epoch. */
  get meanLoss(): number {
    return this.lossSamples > 0 ? this.lossSum / this.lossSamples : NaN;
  }

  /** Samples per second since the bar started. */
  get samplesPerSec(): number {
    const sec = (this.now() - this.start) / 1000;
    return sec > 0 ? this.done / sec : 0;
  }

  /** Records a finished batch of `batchSize` samples whose mean loss was `loss` (if any). */
  tick(batchSize: number, loss?: number): void {
    this.done = Math.min(this.o.total, this.done + batchSize);
    if (loss !== undefined) {
      this.lossSum += loss * batchSize;
      this.lossSamples += batchSize;
    }
    if (this.o.mode === 'tty') {
      const t = this.now();
      if (t - this.lastDraw >= TTY_REDRAW_MS || this.done === this.o.total) {
        this.lastDraw = t;
        this.o.out.write(`\r${this.line()}\x1b[K`);
      }
    } else if (this.o.mode === 'lines') {
      // One line per tick however many steps it crosses, and none at 100%: finish() prints that one.
      const steps = this.o.lineSteps ?? LINE_STEPS;
      let crossed = false;
      while (this.nextLineStep < steps && this.done >= (this.o.total * this.nextLineStep) / steps) {
        this.nextLineStep++;
        crossed = true;
      }
      if (crossed && this.done < this.o.total) this.o.out.write(`${this.line()}\n`);
    }
  }

  /** Ends the bar with a final line; `suffix` adds e.g. the epoch's test accuracy. */
  finish(suffix = ''): void {
    if (this.finished) return;
    this.finished = true;
    if (this.o.mode === 'silent') return;
    const text = `${this.line()}${suffix ? `  ${suffix}` : ''}`;
    this.o.out.write(this.o.mode === 'tty' ? `\r${text}\x1b[K\n` : `${text}\n`);
  }

  /** The status line: label, bar, percent, loss, samples/s, ETA. */
  line(): string {
    const frac = this.done / this.o.total;
    const filled = Math.round(frac * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    const rate = this.samplesPerSec;
    const eta = rate > 0 ? (this.o.total - this.done) / rate : NaN;
    const loss = this.o.showLoss === false ? '' : `  loss ${Number.isNaN(this.meanLoss) ? '--' : this.meanLoss.toFixed(4)}`;
    return (
      `${this.o.label} ${bar} ${String(Math.floor(frac * 100)).padStart(3)}%` +
      `${loss}  ${Math.round(rate).toLocaleString('en-US')} samples/s  ETA ${formatDuration(eta)}`
    );
  }
}
