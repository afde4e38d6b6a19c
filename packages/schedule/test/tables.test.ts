import { describe, expect, it } from 'vitest';
import {
  computeTables,
  DEFAULT_SCHEDULER_CONFIG,
  type ScheduleTables,
  type SchedulerConfig,
  TABLE_NAMES,
} from '../src/index.js';

/** Spacing of float32 numbers at |x| (one ulp). */
function ulp32(x: number): number {
  const f = new Float32Array([Math.abs(x)]);
  const bits = new Uint32Array(f.buffer);
  const next = new Float32Array(1);
  new Uint32Array(next.buffer)[0] = bits[0]! + 1;
  return next[0]! - f[0]!;
}

/** Independent float64 reference: textbook formulas with Math.*, no code shared with the package. */
function referenceBetas(c: SchedulerConfig): number[] {
  const T = c.num_train_timesteps;
  const lin = (a: number, b: number) => Array.from({ length: T }, (_, i) => a + ((b - a) * i) / (T - 1));
  switch (c.beta_schedule) {
    case 'linear':
      return lin(c.beta_start, c.beta_end);
    case 'scaled_linear':
      return lin(Math.sqrt(c.beta_start), Math.sqrt(c.beta_end)).map((v) => v ** 2);
    case 'sigmoid':
      return lin(-6, 6).map((v) => (c.beta_end - c.beta_start) / (1 + Math.exp(-v)) + c.beta_start);
    case 'squaredcos_cap_v2': {
      const f = (t: number) => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
      return Array.from({ length: T }, (_, i) => Math.min(1 - f((i + 1) / T) / f(i / T), 0.999));
    }
  }
}

function referenceTables(c: SchedulerConfig): Record<(typeof TABLE_NAMES)[number], number[]> {
  const betas = c.trained_betas ?? referenceBetas(c);
  const alphas = betas.map((b) => 1 - b);
  const alphaBars: number[] = [];
  alphas.reduce((p, a) => {
    alphaBars.push(p * a);
    return p * a;
  }, 1);
  const prev = [1, ...alphaBars.slice(0, -1)];
  const post = betas.map((b, t) => (b * (1 - prev[t]!)) / (1 - alphaBars[t]!));
  return {
    betas,
    alphas,
    alphaBars,
    alphaBarsPrev: prev,
    sqrtAlphaBars: alphaBars.map(Math.sqrt),
    sqrtOneMinusAlphaBars: alphaBars.map((a) => Math.sqrt(1 - a)),
    sqrtRecipAlphas: alphas.map((a) => 1 / Math.sqrt(a)),
    posteriorVariance: post,
    posteriorLogVarianceClipped: post.map((_, t) => Math.log(post[t === 0 ? 1 : t]!)),
    posteriorMeanCoef1: betas.map((b, t) => (b * Math.sqrt(prev[t]!)) / (1 - alphaBars[t]!)),
    posteriorMeanCoef2: alphas.map((a, t) => ((1 - prev[t]!) * Math.sqrt(a)) / (1 - alphaBars[t]!)),
  };
}

const configs: [string, Partial<SchedulerConfig>][] = [
  ['linear (DDPM default)', {}],
  ['scaled_linear (Stable Diffusion)', { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012 }],
  ['squaredcos_cap_v2', { beta_schedule: 'squaredcos_cap_v2' }],
  ['sigmoid', { beta_schedule: 'sigmoid', beta_start: 0.0001, beta_end: 0.02, num_train_timesteps: 300 }],
  ['trained_betas', { num_train_timesteps: 5, trained_betas: [0.01, 0.05, 0.1, 0.3, 0.7] }],
  ['linear, T = 2', { num_train_timesteps: 2 }],
];

describe('computeTables', () => {
  for (const [name, overrides] of configs) {
    it(`${name}: every table within 1 float32 ulp of an independent float64 recomputation`, () => {
      const config = { ...DEFAULT_SCHEDULER_CONFIG, ...overrides };
      const tables = computeTables(config);
      const want = referenceTables(config);
      expect(tables.T).toBe(config.num_train_timesteps);
      for (const key of TABLE_NAMES) {
        const got = tables[key];
        expect(got, key).toBeInstanceOf(Float32Array);
        expect(got.length, key).toBe(config.num_train_timesteps);
        for (let t = 0; t < got.length; t++) {
          const w = want[key][t]!;
          const err = Math.abs(got[t]! - w);
          if (!(err <= ulp32(w))) expect.fail(`${key}[${t}] = ${got[t]} but the reference is ${w} (${err / ulp32(w)} ulp)`);
        }
      }
    });
  }

  it('matches diffusers-known endpoints: linear β from 1e-4 to 0.02, squaredcos capped at 0.999', () => {
    const linear = computeTables(DEFAULT_SCHEDULER_CONFIG);
    expect(linear.betas[0]).toBe(Math.fround(0.0001));
    expect(linear.betas[999]).toBe(Math.fround(0.02));
    const cosine = computeTables({ ...DEFAULT_SCHEDULER_CONFIG, beta_schedule: 'squaredcos_cap_v2' });
    expect(cosine.betas[999]).toBe(Math.fround(0.999));
    expect(cosine.betas[0]).toBeLessThan(1e-4);
  });

  it('identities: ᾱ = Π α, ᾱ_prev shifted, √ tables, β̃ formula, clipped log at t = 0', () => {
    const tb: ScheduleTables = computeTables({ ...DEFAULT_SCHEDULER_CONFIG, beta_schedule: 'squaredcos_cap_v2' });
    let product = 1;
    for (let t = 0; t < tb.T; t++) {
      product *= tb.alphas[t]!;
      expect(Math.abs(tb.alphaBars[t]! - product)).toBeLessThanOrEqual(1e-6 * product + 1e-12);
      expect(tb.alphaBarsPrev[t]).toBe(t === 0 ? 1 : tb.alphaBars[t - 1]);
      expect(tb.sqrtAlphaBars[t]! ** 2).toBeCloseTo(tb.alphaBars[t]!, 6);
      expect(tb.sqrtOneMinusAlphaBars[t]! ** 2 + tb.alphaBars[t]!).toBeCloseTo(1, 6);
      expect(tb.sqrtRecipAlphas[t]! ** 2 * tb.alphas[t]!).toBeCloseTo(1, 6);
      const betaTilde = (tb.betas[t]! * (1 - tb.alphaBarsPrev[t]!)) / (1 - tb.alphaBars[t]!);
      expect(Math.abs(tb.posteriorVariance[t]! - betaTilde)).toBeLessThanOrEqual(1e-3 * betaTilde + 1e-12);
      // β̃_t ≤ β_t (Ho et al. 2020, §3.2: the two extreme choices of σ²)
      expect(tb.posteriorVariance[t]!).toBeLessThanOrEqual(tb.betas[t]!);
    }
    expect(tb.posteriorVariance[0]).toBe(0);
    expect(tb.posteriorLogVarianceClipped[0]).toBe(tb.posteriorLogVarianceClipped[1]);
    expect(tb.posteriorLogVarianceClipped[1]).toBeCloseTo(Math.log(tb.posteriorVariance[1]!), 5);
  });

  it('the posterior mean coefficients give the closed form of μ̃_t (Ho et al. 2020, eq. 7)', () => {
    const tb = computeTables(DEFAULT_SCHEDULER_CONFIG);
    for (const t of [1, 10, 500, 999]) {
      const x0 = 0.37;
      const eps = -1.21;
      const ab = tb.alphaBars[t]!;
      const xt = Math.sqrt(ab) * x0 + Math.sqrt(1 - ab) * eps;
      const mu = tb.posteriorMeanCoef1[t]! * x0 + tb.posteriorMeanCoef2[t]! * xt;
      // closed form: μ̃ = 1/√α_t (x_t − β_t/√(1 − ᾱ_t) ε)  (Ho et al. 2020, eq. 10)
      const closed = (1 / Math.sqrt(tb.alphas[t]!)) * (xt - (tb.betas[t]! / Math.sqrt(1 - ab)) * eps);
      expect(Math.abs(mu - closed)).toBeLessThan(1e-5);
    }
  });

  it('validates the config it is given', () => {
    expect(() => computeTables({ ...DEFAULT_SCHEDULER_CONFIG, beta_end: 2 })).toThrow(/beta_end/);
  });
});
