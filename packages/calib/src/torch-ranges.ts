// torch.linspace and torch.arange in float32 as PyTorch's CPU kernels compute them (AVX2 build:
// eight lanes per vector, each vector starting from a freshly computed base). The reference's
// histogram edges come from these; reproducing them gives the golden edges bit for bit.

const LANES = 8;
const f = Math.fround;

/** `torch.linspace(0, end, steps)` in float32. */
export function linspaceF32(end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  const stop = f(end);
  if (steps === 1) {
    out[0] = 0;
    return out;
  }
  const step = f(stop / (steps - 1));
  const halfway = Math.floor(steps / 2);
  // Values before halfway count up from 0, later ones count down from `end`.
  const at = (idx: number): number => (idx < halfway ? f(step * idx) : f(stop - f(step * (steps - idx - 1))));
  const vectorized = Math.floor(steps / (2 * LANES)) * 2 * LANES;
  let idx = 0;
  for (; idx < vectorized; idx += LANES) {
    const base = at(idx);
    for (let k = 0; k < LANES; k++) out[idx + k] = f(base + f(k * step));
  }
  for (; idx < steps; idx++) out[idx] = at(idx);
  return out;
}

/** `torch.arange(0, end, step)` in float32 (`end`, `step` float32; size and lanes in float64). */
export function arangeF32(end: number, step: number): Float32Array {
  const size = Math.ceil(end / step);
  const out = new Float32Array(size);
  const vectorized = Math.floor(size / (2 * LANES)) * 2 * LANES;
  let idx = 0;
  for (; idx < vectorized; idx += LANES) {
    const base = f(step * idx);
    for (let k = 0; k < LANES; k++) out[idx + k] = base + k * step;
  }
  for (; idx < size; idx++) out[idx] = step * idx;
  return out;
}
