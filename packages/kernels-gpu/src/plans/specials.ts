// GLSL ES and WGSL let a GPU assume that no NaN or infinity occurs, and Chromium's SwiftShader
// does (a NaN comes out of the quantizer's clamp as -128). So on GPU backends the elements whose
// input is NaN or ±Infinity are finished on the host, with @pq/core's own arithmetic; the
// device only ever sees their garbage, which is overwritten.

/** Indices of the elements of x that are NaN or ±Infinity, or null when there are none. */
export function nonFiniteIndices(x: Float32Array): Int32Array | null {
  let count = 0;
  for (let i = 0; i < x.length; i++) if (x[i]! - x[i]! !== 0) count++;
  if (count === 0) return null;
  const at = new Int32Array(count);
  for (let i = 0, k = 0; k < count; i++) if (x[i]! - x[i]! !== 0) at[k++] = i;
  return at;
}
