// The run's slice of a split. The split is digit by digit (all zeros first), so a slice is
// drawn evenly across it rather than taken from its start.
import { type Split, gather } from '@pq/lenet-app/browser';

/** `n` samples spread evenly over the split (sample floor(k * count / n) for k < n), or all of it. */
export function spread(s: Split, n: number): Split {
  if (n >= s.count) return s;
  const idx = new Int32Array(n);
  for (let k = 0; k < n; k++) idx[k] = Math.floor((k * s.count) / n);
  return gather(s, idx);
}
