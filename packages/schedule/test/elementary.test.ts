import { describe, expect, it } from 'vitest';
import { cos, exp, ln, sigmoid, sin } from '../src/elementary.js';

/** Deterministic pseudo-random doubles in [0, 1) (a tiny LCG, independent of the code under test). */
function* uniforms(n: number, seed = 12345): Generator<number> {
  let state = seed;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const hi = state;
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    yield (hi * 2 ** 21 + (state >>> 11)) / 2 ** 53;
  }
}

function maxRelativeError(f: (x: number) => number, g: (x: number) => number, xs: Iterable<number>): number {
  let worst = 0;
  for (const x of xs) {
    const want = g(x);
    const err = Math.abs(f(x) - want) / Math.abs(want);
    if (err > worst) worst = err;
  }
  return worst;
}

const map = (xs: Iterable<number>, f: (u: number) => number): number[] => Array.from(xs, f);

describe('own elementary functions agree with Math.* to ~1e-16 relative', () => {
  it('ln over many binades, near 1, and at subnormals', () => {
    const wide = map(uniforms(20000), (u) => 2 ** (u * 2000 - 1000) * (1 + u));
    const near1 = map(uniforms(20000, 7), (u) => 1 + (u - 0.5) * 1e-3);
    const tiny = [5e-324, 1e-310, 2.2250738585072014e-308, 1e-300];
    expect(maxRelativeError(ln, Math.log, [...wide, ...tiny])).toBeLessThan(1e-15);
    // near 1 the result is tiny: compare against log1p of the exact x − 1
    expect(maxRelativeError(ln, (x) => Math.log1p(x - 1), near1)).toBeLessThan(1e-15);
    expect(ln(1)).toBe(0);
    expect(ln(Math.E)).toBeCloseTo(1, 15);
    expect(ln(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(ln(-1)).toBeNaN();
    expect(ln(Number.NaN)).toBeNaN();
    expect(ln(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });

  it('exp over its whole range', () => {
    const xs = map(uniforms(20000, 3), (u) => (u - 0.5) * 1400);
    const small = map(uniforms(5000, 4), (u) => (u - 0.5) * 1e-6);
    expect(maxRelativeError(exp, Math.exp, [...xs, ...small, 0, 1, -1, 709, -708])).toBeLessThan(1e-15);
    expect(exp(0)).toBe(1);
    expect(exp(710)).toBe(Number.POSITIVE_INFINITY);
    expect(exp(-746)).toBe(0);
    expect(exp(-740)).toBeGreaterThan(0); // subnormal result
    expect(Math.abs(exp(-740) - Math.exp(-740)) / Math.exp(-740)).toBeLessThan(1e-9);
  });

  it('sin and cos for |x| up to 1e5 (absolute error ≤ 2e-16 · max(1, |x|/π))', () => {
    for (const [f, g] of [
      [sin, Math.sin],
      [cos, Math.cos],
    ] as const) {
      let worst = 0;
      for (const u of uniforms(40000, 11)) {
        const x = (u - 0.5) * 2e5 * u ** 4;
        const err = Math.abs(f(x) - g(x)) / Math.max(1, Math.abs(x) / Math.PI);
        worst = Math.max(worst, err);
      }
      expect(worst).toBeLessThan(2e-16);
      // relative accuracy where the value is not near a zero crossing
      const xs = map(uniforms(20000, 13), (u) => (u - 0.5) * 20).filter((x) => Math.abs(g(x)) > 0.01);
      expect(maxRelativeError(f, g, xs)).toBeLessThan(1e-15);
    }
    expect(sin(0)).toBe(0);
    expect(Object.is(sin(-0), -0)).toBe(true);
    expect(cos(0)).toBe(1);
    expect(sin(1e-300)).toBe(1e-300);
    expect(sin(Number.POSITIVE_INFINITY)).toBeNaN();
    expect(cos(Number.NaN)).toBeNaN();
    // cos(π/2 as a double) is the tiny true value 6.123233995736766e-17
    expect(Math.abs(cos(Math.PI / 2) - 6.123233995736766e-17)).toBeLessThan(1e-31);
  });

  it('sigmoid = 1/(1 + e^−x)', () => {
    const xs = map(uniforms(2000, 5), (u) => (u - 0.5) * 40);
    expect(maxRelativeError(sigmoid, (x) => 1 / (1 + Math.exp(-x)), xs)).toBeLessThan(1e-15);
    expect(sigmoid(0)).toBe(0.5);
  });
});
