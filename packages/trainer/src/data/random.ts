/**
 * Counter-based pseudo-random numbers: every value is a pure function of (seed, stream, index),
 * so a batch can be recomputed from (seed, step) alone and training resumes exactly.
 */

/** A 32-bit integer finaliser with good avalanche (the "lowbias32" constants). */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a seed and any number of counters into one uint32. */
export function hashWords(seed: number, ...words: number[]): number {
  let h = mix32((seed >>> 0) ^ 0x9e3779b9);
  for (const w of words) h = mix32((h + Math.imul((w >>> 0) ^ 0x85ebca6b, 0xc2b2ae35)) >>> 0);
  return h;
}

/** A uniform double in [0, 1) determined by (seed, stream, index). */
export function uniformAt(seed: number, stream: number, index: number): number {
  return hashWords(seed, stream, index) / 4294967296;
}

/** A sequential generator on top of the counter hash (for data generation and shuffles). */
export class SeededRandom {
  private counter = 0;
  constructor(private readonly seed: number) {}

  /** Uniform in [0, 1). */
  next(): number {
    return uniformAt(this.seed, 0, this.counter++);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  /** Standard normal by the Box–Muller transform. */
  normal(): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i]!;
      p[i] = p[j]!;
      p[j] = tmp;
    }
    return p;
  }
}
