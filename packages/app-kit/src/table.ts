// Plain-text tables and the number formats of the apps' summaries.

export function formatPercent(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/** A change in percentage points: "+0.05", "-1.20", "±0.00"; "" for null (the baseline row). */
export function formatDelta(points: number | null): string {
  if (points === null) return '';
  const r = Math.round(points * 100) / 100;
  return `${r > 0 ? '+' : r < 0 ? '-' : '±'}${Math.abs(r).toFixed(2)}`;
}

/** A count with thousands separators: 8,004. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Rows under a header and a dashed rule, columns separated by three spaces; the first column
 * left-aligned, the others right-aligned. Returns the lines (no trailing newline).
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const fmt = (cells: readonly string[]): string =>
    header.map((_, c) => (c === 0 ? (cells[c] ?? '').padEnd(widths[c]!) : (cells[c] ?? '').padStart(widths[c]!))).join('   ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('   '), ...rows.map(fmt)];
}
