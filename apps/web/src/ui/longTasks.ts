// How long the page's main thread was blocked at most: the browser's long-task entries (tasks
// over 50 ms), watched from the start of the run. Shown on the page, so that a phase that stops
// yielding is seen.
export class LongTasks {
  private longest = 0;
  private count = 0;
  private readonly observer: PerformanceObserver | null = null;

  constructor(private readonly onChange: (longestMs: number, count: number) => void) {
    if (!PerformanceObserver.supportedEntryTypes?.includes('longtask')) return;
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.count++;
        this.longest = Math.max(this.longest, e.duration);
      }
      this.onChange(this.longest, this.count);
    });
    this.observer.observe({ type: 'longtask' });
  }

  stop(): void {
    this.observer?.disconnect();
  }
}
