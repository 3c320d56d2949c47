// Classification scoring shared by the apps.

/** Index of the largest of each row of `[n, classes]` scores (first one on ties). */
export function argmaxRows(scores: ArrayLike<number>, classes: number): Int32Array {
  const n = scores.length / classes;
  if (!Number.isInteger(n)) throw new Error(`argmaxRows: ${scores.length} scores are not rows of ${classes}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[i * classes + c]! > scores[i * classes + best]!) best = c;
    out[i] = best;
  }
  return out;
}
