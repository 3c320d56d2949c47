// The seedable generator behind every random initialisation and dropout mask, so a model built
// after `manualSeed(s)` is the same on every run (PyTorch's torch.manual_seed). The stream is
// xoshiro128** seeded through splitmix32; it is reproducible, not PyTorch's Mersenne Twister.

const DEFAULT_SEED = 67280421310721 % 2 ** 32; // PyTorch's default seed, folded to 32 bits

export class Generator {
  private s = new Uint32Array(4);
  private seedValue = 0;
  private spareNormal: number | null = null;

  constructor(seed = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number): this {
    if (!Number.isFinite(seed) || !Number.isInteger(seed)) {
      throw new Error(`manualSeed: seed must be a finite integer, got ${seed}`);
    }
    this.seedValue = seed;
    // splitmix32 over the low and high 32 bits, so seeds above 2^32 still differ.
    let x = (seed >>> 0) ^ Math.floor(seed / 2 ** 32);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
    this.spareNormal = null;
    return this;
  }

  initialSeed(): number {
    return this.seedValue;
  }

  /** The next 32 random bits (xoshiro128**). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits, so the value is exact in float32. */
  nextFloat(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /** `n` float32 samples of U(low, high). */
  uniform(n: number, low: number, high: number): Float32Array {
    const out = new Float32Array(n);
    const width = high - low;
    for (let i = 0; i < n; i++) out[i] = low + width * this.nextFloat();
    return out;
  }

  /** `n` float32 samples of N(mean, std²) (Box-Muller). */
  normal(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = mean + std * this.standardNormal();
    return out;
  }

  /** `n` samples that are 1 with probability `p`, else 0. */
  bernoulli(n: number, p: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextFloat() < p ? 1 : 0;
    return out;
  }

  private standardNormal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The global generator used by layer initialisation and dropout. */
export const defaultGenerator = new Generator();

/** Seeds the global generator (torch.manual_seed): models built afterwards are reproducible. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
