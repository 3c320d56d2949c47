// Histogram generators for the property tests and the benchmark.
import fc from 'fast-check';

/** Float32 edges over [0, max] the way torch.linspace spaces them (close enough for tests). */
export function uniformEdges(n: number, max: number): Float32Array {
  const e = new Float32Array(n + 1);
  for (let j = 0; j <= n; j++) e[j] = (max * j) / n;
  return e;
}

/** Counts mixing empty bins, small and large counts, and a sparse tail of outliers. */
export const countsArb = (minLength: number, maxLength: number): fc.Arbitrary<number[]> =>
  fc.oneof(
    fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 100_000 })), {
      minLength, maxLength,
    }),
    // Mostly empty: many candidates tie or are infinite.
    fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }), {
      minLength, maxLength,
    }),
    // A decaying, realistic shape with noise.
    fc.tuple(fc.integer({ min: minLength, max: maxLength }), fc.integer({ min: 1, max: 10_000 }), fc.nat(1000)).map(
      ([n, scale, seed]) => {
        const out: number[] = [];
        let s = seed + 1;
        for (let j = 0; j < n; j++) {
          s = (s * 1103515245 + 12345) % 2147483648;
          out.push(Math.floor(scale * Math.exp((-6 * j) / n) * (0.5 + s / 2147483648)));
        }
        return out;
      },
    ),
  );

/** A histogram of |x| for a realistic activation: ReLU of a Gaussian plus rare large outliers. */
export function reluActivation(size: number, seed = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const rand = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const x = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rand() + 1e-12));
    const t = 2 * Math.PI * rand();
    x[i] = Math.max(0, r * Math.cos(t));
    if (i + 1 < size) x[i + 1] = Math.max(0, r * Math.sin(t));
  }
  // About 1 in 10,000 values is an outlier up to 20x the typical scale.
  for (let i = 0; i < size; i++) if (rand() < 1e-4) x[i] = 4 + 16 * rand();
  return x;
}
