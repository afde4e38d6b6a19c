import { describe, expect, it } from 'vitest';
import {
  addNoise,
  computeTables,
  DEFAULT_SCHEDULER_CONFIG,
  ddim,
  ddpm,
  gaussians,
  guidance,
  predictX0,
  type SamplingMethod,
  type SchedulerConfig,
} from '../src/index.js';
import { maxAbsDiff } from '../../../test/arrays.js';

const base: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, clip_sample: false };
const tables = computeTables(base);
const cfg = (overrides: Partial<SchedulerConfig>): SchedulerConfig => ({ ...base, ...overrides });

/** The explicit timesteps of a one-step run t → prevT (a second entry unless prevT is the final −1). */
const plan = (t: number, prevT: number) => (prevT < 0 ? [t] : [t, prevT]);

/** One DDPM step t → prevT: step 0 of a scheduler with those explicit timesteps. */
function ddpmStep(config: SchedulerConfig, xt: Float32Array, modelOutput: Float32Array, t: number, prevT: number, noise: Float32Array | null, out: Float32Array, x0Out?: Float32Array) {
  ddpm(config, { timesteps: plan(t, prevT) }).step(0, { sample: xt, modelOutput, noise, out, x0Out });
}

/** One DDIM step t → prevT with η: step 0 of a scheduler with those explicit timesteps. */
function ddimStep(config: SchedulerConfig, xt: Float32Array, modelOutput: Float32Array, t: number, prevT: number, eta: number, noise: Float32Array | null, out: Float32Array, x0Out?: Float32Array) {
  ddim(config, { timesteps: plan(t, prevT), eta }).step(0, { sample: xt, modelOutput, noise, out, x0Out });
}

/** Whether the step t → prevT of the method adds noise. */
function stepAddsNoise(method: SamplingMethod, t: number, prevT: number, eta = 0): boolean {
  const timesteps = plan(t, prevT);
  return (method === 'ddpm' ? ddpm(base, { timesteps }) : ddim(base, { timesteps, eta })).addsNoise(0);
}

/** ᾱ_t recomputed in float64 from the linear schedule (independent of the float32 tables). */
const alphaBar64 = (() => {
  const T = base.num_train_timesteps;
  const out: number[] = [];
  let product = 1;
  for (let t = 0; t < T; t++) {
    product *= 1 - (base.beta_start + ((base.beta_end - base.beta_start) * t) / (T - 1));
    out.push(product);
  }
  return out;
})();

function normals(stream: number, n: number, seed = 5): Float32Array {
  const out = new Float32Array(n);
  gaussians(seed, stream, 0, out);
  return out;
}


/** x_t and the three parametrisations of the true answer for data x0 and noise ε at timestep t. */
function noisyExample(t: number, n = 64) {
  const x0 = normals(100, n).map((v) => 0.5 * v);
  const eps = normals(101, n);
  const a = Math.sqrt(alphaBar64[t]!);
  const b = Math.sqrt(1 - alphaBar64[t]!);
  const xt = x0.map((v, i) => a * v + b * eps[i]!);
  const v = x0.map((x, i) => a * eps[i]! - b * x); // Salimans & Ho 2022
  return { x0, eps, xt, v };
}

/** Steps the ε, x0 and v forms of `example`'s prediction (`step` writes into `out`); the three results must agree. */
function expectSameStepForEveryPrediction(
  example: ReturnType<typeof noisyExample>,
  step: (prediction_type: SchedulerConfig['prediction_type'], output: Float32Array, out: Float32Array) => void,
): void {
  const forms = [
    ['epsilon', example.eps],
    ['sample', example.x0],
    ['v_prediction', example.v],
  ] as const;
  const [first, ...others] = forms.map(([prediction_type, output]) => {
    const out = new Float32Array(example.xt.length);
    step(prediction_type, output, out);
    return out;
  });
  for (const other of others) expect(maxAbsDiff(first!, other)).toBeLessThan(1e-5);
}

describe('addNoise (Ho et al. 2020, eq. 4)', () => {
  it('applies √ᾱ_t x0 + √(1−ᾱ_t) ε with one timestep per batch item, in place too', () => {
    const x0 = normals(1, 12);
    const eps = normals(2, 12);
    const out = new Float32Array(12);
    const ts = [0, 500, 999];
    addNoise(tables, x0, eps, ts, out);
    for (let i = 0; i < 12; i++) {
      const t = ts[Math.floor(i / 4)]!;
      const want = Math.sqrt(alphaBar64[t]!) * x0[i]! + Math.sqrt(1 - alphaBar64[t]!) * eps[i]!;
      expect(Math.abs(out[i]! - want)).toBeLessThan(2e-7 * Math.max(1, Math.abs(want)));
    }
    const inPlace = x0.slice();
    addNoise(tables, inPlace, eps, Int32Array.from(ts), inPlace);
    expect(inPlace).toEqual(out);
    expect(() => addNoise(tables, x0, eps, [1, 2, 3, 4, 5], out)).toThrow(/not a multiple of the 5 timesteps/);
    expect(() => addNoise(tables, x0, eps, [1, 2, 1000], out)).toThrow(/t\[2\] must be an integer timestep in \[0, 999\], got 1000/);
    expect(() => addNoise(tables, x0, eps.subarray(1), ts, out)).toThrow(/eps has 11 elements, expected 12/);
  });
});

describe('predictX0', () => {
  for (const t of [0, 10, 500, 999]) {
    it(`recovers x0 from ε, x0 and v predictions at t = ${t}`, () => {
      const { x0, eps, xt, v } = noisyExample(t);
      const out = new Float32Array(x0.length);
      const tol = t === 999 ? 2e-3 : 1e-5; // at t = 999, 1/√ᾱ ≈ 160 amplifies float32 rounding of x_t
      predictX0(tables, cfg({ prediction_type: 'epsilon' }), xt, eps, t, out);
      expect(maxAbsDiff(out, x0)).toBeLessThan(tol);
      predictX0(tables, cfg({ prediction_type: 'v_prediction' }), xt, v, t, out);
      expect(maxAbsDiff(out, x0)).toBeLessThan(1e-5);
      predictX0(tables, cfg({ prediction_type: 'sample' }), xt, x0, t, out);
      expect(out).toEqual(x0);
      const inPlace = xt.slice();
      predictX0(tables, cfg({ prediction_type: 'v_prediction' }), inPlace, v, t, inPlace);
      predictX0(tables, cfg({ prediction_type: 'v_prediction' }), xt, v, t, out);
      expect(inPlace).toEqual(out);
    });
  }
});

describe('ddpmStep (Ho et al. 2020, eqs. 6–7)', () => {
  it('with the true ε, the mean is the posterior mean μ̃_t(x_t, x0) and σ_t z is added', () => {
    for (const t of [1, 50, 500, 999]) {
      const { x0, eps, xt } = noisyExample(t);
      const z = normals(7, x0.length);
      const out = new Float32Array(x0.length);
      const x0Out = new Float32Array(x0.length);
      ddpmStep(base, xt, eps, t, t - 1, z, out, x0Out);
      const ab = alphaBar64[t]!;
      const abPrev = alphaBar64[t - 1]!;
      const beta = 1 - ab / abPrev;
      const sigma = Math.sqrt((beta * (1 - abPrev)) / (1 - ab));
      const want = xt.map(
        (x, i) => (Math.sqrt(abPrev) * beta * x0[i]! + Math.sqrt(1 - beta) * (1 - abPrev) * x) / (1 - ab) + sigma * z[i]!,
      );
      expect(maxAbsDiff(out, want), `t = ${t}`).toBeLessThan(t === 999 ? 5e-4 : 2e-5);
      expect(maxAbsDiff(x0Out, x0)).toBeLessThan(t === 999 ? 2e-3 : 1e-5);
    }
  });

  it('adds no noise at t = 0 and z is then not read', () => {
    const { eps, xt } = noisyExample(0);
    const out = new Float32Array(xt.length);
    ddpmStep(base, xt, eps, 0, -1, null, out);
    const x0 = new Float32Array(xt.length);
    predictX0(tables, base, xt, eps, 0, x0);
    expect(maxAbsDiff(out, x0)).toBeLessThan(1e-6); // coef1 = 1, coef2 = 0 at t = 0
    expect(stepAddsNoise('ddpm', 0, -1)).toBe(false);
    expect(stepAddsNoise('ddpm', 1, 0)).toBe(true);
  });

  it('σ_t per variance type: fixed_small √β̃, fixed_large √β, and their _log forms', () => {
    const t = 400;
    const n = 16;
    const xt = new Float32Array(n);
    const zero = new Float32Array(n);
    const z = Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -2));
    const sigmaOf = (variance_type: SchedulerConfig['variance_type'], prevT = t - 1) => {
      const withNoise = new Float32Array(n);
      const without = new Float32Array(n);
      const c = cfg({ variance_type });
      ddpmStep(c, xt, zero, t, prevT, z, withNoise);
      ddpmStep(c, xt, zero, t, prevT, zero, without);
      return (withNoise[1]! - without[1]!) / z[1]!;
    };
    const betaTilde = tables.posteriorVariance[t]!;
    const beta = tables.betas[t]!;
    expect(sigmaOf('fixed_small')).toBeCloseTo(Math.sqrt(betaTilde), 6);
    expect(sigmaOf('fixed_small_log')).toBeCloseTo(Math.sqrt(betaTilde), 6);
    expect(sigmaOf('fixed_large')).toBeCloseTo(Math.sqrt(beta), 6);
    expect(sigmaOf('fixed_large_log')).toBeCloseTo(Math.sqrt(beta), 6);
    // strided step t → t − 100: effective β = 1 − ᾱ_t/ᾱ_prev (diffusers' current_beta_t)
    const ab = tables.alphaBars[t]!;
    const abPrev = tables.alphaBars[t - 100]!;
    const betaEff = 1 - ab / abPrev;
    expect(sigmaOf('fixed_large', t - 100)).toBeCloseTo(Math.sqrt(betaEff), 5);
    expect(sigmaOf('fixed_small', t - 100)).toBeCloseTo(Math.sqrt(((1 - abPrev) / (1 - ab)) * betaEff), 5);
    // final step of a trailing schedule (t = 99 → −1): diffusers still adds noise since t > 0;
    // β̃ = 0 is clamped to 1e-20 (σ = 1e-10), while fixed_large uses β = 1 − ᾱ_99
    expect(stepAddsNoise('ddpm', 99, -1)).toBe(true);
    const final = (variance_type: SchedulerConfig['variance_type']) => {
      const out = new Float32Array(n);
      ddpmStep(cfg({ variance_type }), xt, zero, 99, -1, z, out);
      return out[1]! / z[1]!; // x_t = 0 and ε̂ = 0, so only the noise remains
    };
    expect(final('fixed_small')).toBeCloseTo(1e-10, 15);
    expect(final('fixed_large')).toBeCloseTo(Math.sqrt(1 - alphaBar64[99]!), 6);
  });

  it('a strided step matches diffusers formulas computed from ᾱ', () => {
    const t = 700;
    const prevT = 600;
    const { eps, xt } = noisyExample(t);
    const z = normals(8, xt.length);
    const out = new Float32Array(xt.length);
    ddpmStep(base, xt, eps, t, prevT, z, out);
    const ab = alphaBar64[t]!;
    const abPrev = alphaBar64[prevT]!;
    const alphaT = ab / abPrev;
    const betaT = 1 - alphaT;
    const want = xt.map((x, i) => {
      const x0 = (x - Math.sqrt(1 - ab) * eps[i]!) / Math.sqrt(ab);
      const mean = ((Math.sqrt(abPrev) * betaT) / (1 - ab)) * x0 + ((Math.sqrt(alphaT) * (1 - abPrev)) / (1 - ab)) * x;
      return mean + Math.sqrt(((1 - abPrev) / (1 - ab)) * betaT) * z[i]!;
    });
    expect(maxAbsDiff(out, want)).toBeLessThan(1e-5);
  });

  it('clip_sample clamps x̂0 to ±clip_sample_range', () => {
    const t = 999;
    const xt = Float32Array.of(3, -3, 0.001);
    const eps = new Float32Array(3);
    const x0Out = new Float32Array(3);
    const out = new Float32Array(3);
    ddpmStep(cfg({ clip_sample: true, clip_sample_range: 1.5 }), xt, eps, t, t - 1, new Float32Array(3), out, x0Out);
    expect(x0Out[0]).toBe(1.5);
    expect(x0Out[1]).toBe(-1.5);
    expect(x0Out[2]).toBeCloseTo(0.001 / Math.sqrt(alphaBar64[t]!), 5);
    ddpmStep(base, xt, eps, t, t - 1, new Float32Array(3), out, x0Out);
    expect(x0Out[0]).toBeGreaterThan(100);
  });

  it('ε, x0 and v parametrisations of the same prediction give the same step', () => {
    const t = 300;
    const example = noisyExample(t);
    const z = normals(9, example.xt.length);
    expectSameStepForEveryPrediction(example, (prediction_type, output, out) => ddpmStep(cfg({ prediction_type }), example.xt, output, t, t - 1, z, out));
  });

  it('works on batches, allows out === xt and x0Out === modelOutput, and checks its arguments', () => {
    const t = 250;
    const a = noisyExample(t, 8);
    const b = noisyExample(t - 100, 8);
    const xt = new Float32Array([...a.xt, ...b.xt]);
    const model = new Float32Array([...a.eps, ...b.eps]);
    const z = normals(10, 16);
    const batched = new Float32Array(16);
    ddpmStep(base, xt, model, t, t - 1, z, batched);
    const single = new Float32Array(8);
    ddpmStep(base, xt.subarray(8), model.subarray(8), t, t - 1, z.subarray(8), single);
    expect(batched.subarray(8)).toEqual(single);
    const x0Separate = new Float32Array(16);
    ddpmStep(base, xt, model, t, t - 1, z, new Float32Array(16), x0Separate);
    const inPlace = xt.slice();
    const modelCopy = model.slice();
    ddpmStep(base, inPlace, modelCopy, t, t - 1, z, inPlace, modelCopy);
    expect(inPlace).toEqual(batched);
    expect(modelCopy).toEqual(x0Separate);
    expect(() => ddpmStep(base, xt, model.subarray(1), t, t - 1, z, batched)).toThrow(/modelOutput has 15 elements, expected 16/);
    expect(() => ddpmStep(base, xt, model, t, t, z, batched)).toThrow(/prevT must be an integer below t = 250/);
    expect(() => ddpmStep(base, xt, model, 1000, 999, z, batched)).toThrow(/t must be an integer timestep in \[0, 999\], got 1000/);
    expect(() => ddpmStep(base, xt, model, t, t - 1, z.subarray(2), batched)).toThrow(/z has 14 elements/);
    expect(() => ddpmStep(base, xt, model, t, t - 1, null, batched)).toThrow(/needs noise z, got null/);
  });
});

describe('ddimStep (Song et al. 2021, eq. 12)', () => {
  it('η = 0 with the true ε re-noises the true x0 exactly: x_prev = √ᾱ_prev x0 + √(1−ᾱ_prev) ε', () => {
    for (const [t, prevT] of [
      [999, 899],
      [500, 499],
      [100, -1],
    ] as const) {
      const { x0, eps, xt } = noisyExample(t);
      const out = new Float32Array(xt.length);
      ddimStep(base, xt, eps, t, prevT, 0, null, out);
      const abPrev = prevT < 0 ? 1 : tables.alphaBars[prevT]!;
      const want = x0.map((v, i) => Math.sqrt(abPrev) * v + Math.sqrt(1 - abPrev) * eps[i]!);
      expect(maxAbsDiff(out, want), `${t} → ${prevT}`).toBeLessThan(2e-3);
    }
    expect(stepAddsNoise('ddim', 999, 899, 0)).toBe(false);
    expect(stepAddsNoise('ddim', 999, 899, 0.5)).toBe(true);
    expect(stepAddsNoise('ddim', 99, -1, 1)).toBe(false);
  });

  it('σ = η √((1−ᾱ_prev)/(1−ᾱ_t)) √(1 − ᾱ_t/ᾱ_prev)', () => {
    const t = 600;
    const prevT = 500;
    const n = 4;
    const xt = Float32Array.of(0.3, -0.2, 0.1, 0.5);
    const model = Float32Array.of(0.1, 0.2, -0.3, 0.4);
    const z = Float32Array.of(1, -1, 2, 0.5);
    const withNoise = new Float32Array(n);
    const without = new Float32Array(n);
    const eta = 0.7;
    ddimStep(base, xt, model, t, prevT, eta, z, withNoise);
    ddimStep(base, xt, model, t, prevT, eta, new Float32Array(n), without);
    const ab = tables.alphaBars[t]!;
    const abPrev = tables.alphaBars[prevT]!;
    const sigma = eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev);
    for (let i = 0; i < n; i++) expect((withNoise[i]! - without[i]!) / z[i]!).toBeCloseTo(sigma, 5);
    // the deterministic part: √ᾱ_prev x̂0 + √(1−ᾱ_prev−σ²) ε̂
    const wantMean = Array.from(xt, (x, i) => {
      const x0 = (x - Math.sqrt(1 - ab) * model[i]!) / Math.sqrt(ab);
      return Math.sqrt(abPrev) * x0 + Math.sqrt(1 - abPrev - sigma * sigma) * model[i]!;
    });
    expect(maxAbsDiff(without, wantMean)).toBeLessThan(1e-5);
    expect(() => ddimStep(base, xt, model, t, prevT, eta, null, without)).toThrow(/needs noise z/);
    expect(() => ddimStep(base, xt, model, t, prevT, -1, z, without)).toThrow(/eta must be/);
  });

  it('ε, x0 and v parametrisations agree, with and without clipping', () => {
    const t = 200;
    const example = noisyExample(t);
    const z = normals(11, example.xt.length);
    for (const clip_sample of [false, true]) {
      expectSameStepForEveryPrediction(example, (prediction_type, output, out) =>
        ddimStep(cfg({ prediction_type, clip_sample }), example.xt, output, t, 150, 0.5, z, out),
      );
    }
  });

  it('with clip_sample, ε̂ is recomputed from the clamped x̂0', () => {
    const t = 10;
    const xt = Float32Array.of(2.5);
    const model = Float32Array.of(0);
    const out = new Float32Array(1);
    const x0Out = new Float32Array(1);
    ddimStep(cfg({ clip_sample: true }), xt, model, t, 5, 0, null, out, x0Out);
    expect(x0Out[0]).toBe(1);
    const ab = tables.alphaBars[t]!;
    const abPrev = tables.alphaBars[5]!;
    const epsHat = (2.5 - Math.sqrt(ab)) / Math.sqrt(1 - ab);
    expect(out[0]).toBeCloseTo(Math.sqrt(abPrev) + Math.sqrt(1 - abPrev) * epsHat, 4);
  });

  for (const clip_sample of [false, true]) {
    it(`DDIM(η = 1, all T steps, same z) ≡ DDPM with fixed_small (clip_sample ${clip_sample})`, () => {
      const config = cfg({ clip_sample, variance_type: 'fixed_small' });
      const n = 32;
      const model = (x: Float32Array, t: number, out: Float32Array) => {
        // a smooth stand-in for a network: depends on x and t
        for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]! * 0.8 + 0.001 * t - 0.3 * (i % 3));
      };
      const ddpmX = normals(0, n, 77);
      const ddimX = ddpmX.slice();
      const eps = new Float32Array(n);
      const z = new Float32Array(n);
      const oneStep = new Float32Array(n);
      const ddpmScheduler = ddpm(config);
      const ddimScheduler = ddim(config, { timesteps: ddpmScheduler.timesteps, eta: 1 });
      let worstStep = 0;
      for (let k = 0; k < tables.T; k++) {
        const t = ddpmScheduler.timesteps[k]!;
        expect(ddimScheduler.prevTimesteps[k]).toBe(t - 1);
        gaussians(77, tables.T - t, 0, z);
        model(ddpmX, t, eps);
        ddimScheduler.step(k, { sample: ddpmX, modelOutput: eps, noise: z, out: oneStep }); // same input as the DDPM step
        ddpmScheduler.step(k, { sample: ddpmX, modelOutput: eps, noise: z, out: ddpmX });
        worstStep = Math.max(worstStep, maxAbsDiff(ddpmX, oneStep) / Math.max(1, ...Array.from(ddpmX, Math.abs)));
        model(ddimX, t, eps);
        ddimScheduler.step(k, { sample: ddimX, modelOutput: eps, noise: z, out: ddimX });
      }
      // each step agrees to float32 rounding of the coefficients; 1000 steps accumulate it
      expect(worstStep).toBeLessThan(2e-6);
      expect(maxAbsDiff(ddpmX, ddimX)).toBeLessThan(1e-3);
      expect(maxAbsDiff(ddpmX, new Float32Array(n))).toBeGreaterThan(0.1); // the trajectory went somewhere
    });
  }
});

describe('guidance (classifier-free)', () => {
  it('ε_u + s·(ε_c − ε_u): s = 0 → ε_u, s = 1 → ε_c, s = 7.5 extrapolates; in place is allowed', () => {
    const u = Float32Array.of(1, -2, 0.5);
    const c = Float32Array.of(2, 0, 0.5);
    const out = new Float32Array(3);
    guidance(u, c, 0, out);
    expect(out).toEqual(u);
    guidance(u, c, 1, out);
    expect(out).toEqual(c);
    guidance(u, c, 7.5, out);
    expect(Array.from(out)).toEqual([8.5, 13, 0.5]);
    const inPlace = u.slice();
    guidance(inPlace, c, 7.5, inPlace);
    expect(inPlace).toEqual(out);
    expect(() => guidance(u, c.subarray(1), 2, out)).toThrow(/equal lengths, got 3, 2, 3/);
  });
});
