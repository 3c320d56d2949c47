// A strided view of a tensor in the wasm heap, read into a dense tensor by pq's `permute` kernel,
// out[i0, ..., ik] = in[i0·s0 + ... + ik·sk] over dims d (byte strides s), or a dense tensor
// written into it by the mirror kernel `place` (out[i·s] = in[i]: a padded tensor's interior).
// Size-1 axes are dropped and adjacent axes merged where the view is contiguous across them (a
// 3x3 kernel's centre tap, [Co, Ci, 1, 1] of [Co, Ci, 3, 3], is one axis of Co·Ci elements 36
// bytes apart), so that up to 4 axes remain for the kernel.
import type { WasmKernels } from './wasm_kernels.js';

/** `dims` and byte `strides` with size-1 axes dropped and contiguous neighbours merged. */
export function mergedView(dims: readonly number[], strides: readonly number[]): { dims: number[]; strides: number[] } {
  const d: number[] = [];
  const s: number[] = [];
  dims.forEach((n, i) => {
    if (n === 1) return;
    const last = d.length - 1;
    if (last >= 0 && s[last] === n * strides[i]!) {
      d[last] = d[last]! * n;
      s[last] = strides[i]!;
    } else {
      d.push(n);
      s.push(strides[i]!);
    }
  });
  return { dims: d, strides: s };
}

/**
 * `permute` (read the view at byte offset `from` into `to`) or `place` (write `from` into the
 * view at `to`); false (nothing written) when the view has over 4 axes once merged.
 */
export function copyStrided(
  kernels: WasmKernels, kernel: 'permute' | 'place', to: number, from: number, dims: readonly number[], strides: readonly number[],
): boolean {
  const m = mergedView(dims, strides);
  if (m.dims.length > 4) return false;
  const pad = 4 - m.dims.length;
  const d = [...Array<number>(pad).fill(1), ...m.dims];
  const s = [...Array<number>(pad).fill(0), ...m.strides];
  kernels[kernel](to, from, d[0]!, d[1]!, d[2]!, d[3]!, s[0]!, s[1]!, s[2]!, s[3]!);
  return true;
}
