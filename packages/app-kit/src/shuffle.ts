// Seeded shuffling: the same --seed gives the same batch order on every machine.
//
// PRNG: mulberry32 (Tommy Ettinger's 32-bit generator: one 32-bit state, add 0x6D2B79F5,
// then two xorshift-multiply rounds), a full-period 2^32 generator that is fast and
// portable because it only uses Math.imul and 32-bit integer ops. The permutation is a
// Fisher-Yates shuffle drawing j = floor(u * (i + 1)) for i = n-1 .. 1.

/** A deterministic source of uniform floats in [0, 1). */
export interface Rng {
  /** The next uniform float in [0, 1) (a multiple of 2^-32). */
  next(): number;
  /** The next uniform 32-bit unsigned integer. */
  nextUint32(): number;
}

export function mulberry32(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`mulberry32: seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return { nextUint32, next: () => nextUint32() / 4294967296 };
}

/** A fresh permutation of 0..n-1 drawn from `rng` (Fisher-Yates). */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * The batch order of every epoch for a run: one generator seeded with `seed` and a new
 * permutation drawn from it per epoch, so epoch e's order depends only on (seed, e, n).
 */
export class EpochShuffler {
  private readonly rng: Rng;
  private epoch = 0;

  constructor(readonly seed: number, readonly count: number) {
    this.rng = mulberry32(seed);
  }

  /** The order for the next epoch. */
  nextEpoch(): Int32Array {
    this.epoch++;
    return permutation(this.count, this.rng);
  }

  get epochsDrawn(): number {
    return this.epoch;
  }
}
