// PyTorch-style geometry options (an int or one int per spatial dim) as ONNX attribute lists.

/** `v` as `n` ints: a number repeats, an array must have n entries. */
export function nTuple(v: unknown, n: number, what: string): number[] {
  if (typeof v === 'number') return Array<number>(n).fill(v);
  if (Array.isArray(v) && v.length === n && v.every((d) => typeof d === 'number')) return [...(v as number[])];
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return Array<number>(n).fill(v[0] as number);
  throw new Error(`ONNX export: ${what} must be a number or ${n} numbers, got ${JSON.stringify(v)}`);
}

/** ONNX `pads` ([begin..., end...]) from PyTorch's symmetric padding. */
export function symmetricPads(padding: readonly number[]): number[] {
  return [...padding, ...padding];
}

/**
 * ONNX pads for a convolution's padding option: numbers, 'valid' (none) or 'same' (PyTorch
 * puts the odd extra pixel at the end).
 */
export function convPads(padding: unknown, kernel: readonly number[], dilation: readonly number[]): number[] {
  const n = kernel.length;
  if (padding === 'valid') return Array<number>(2 * n).fill(0);
  if (padding === 'same') {
    const total = kernel.map((k, i) => dilation[i]! * (k - 1));
    return [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
  }
  return symmetricPads(nTuple(padding, n, 'padding'));
}
