/**
 * Hot-loop diffusion math on Float32Array buffers. Nothing here allocates: per-step scalars are
 * computed once in float64, then one pass over the elements writes `out`.
 *
 * Batches: step functions treat xt/modelOutput/z/out as flat arrays of equal length (any number
 * of items sharing one t). Aliasing: every element i is read before out[i] is written, so `out`
 * (and `x0Out`) may be the same array as any input (e.g. out === xt), but out and x0Out must differ.
 */

import type { SchedulerConfig } from './config.js';
import { exp, ln } from './elementary.js';
import type { ScheduleTables } from './tables.js';

/** diffusers clamps the posterior variance here before taking its log. */
const MIN_VARIANCE = 1e-20;

function checkTimestep(tables: ScheduleTables, t: number, name: string): void {
  if (!Number.isInteger(t) || t < 0 || t >= tables.T) {
    throw new RangeError(`${name} must be an integer timestep in [0, ${tables.T - 1}], got ${t}`);
  }
}

function checkPrevTimestep(tables: ScheduleTables, t: number, prevT: number): void {
  checkTimestep(tables, t, 't');
  if (!Number.isInteger(prevT) || prevT >= t) {
    throw new RangeError(`prevT must be an integer below t = ${t} (negative for the final step), got ${prevT}`);
  }
}

function checkLength(name: string, array: ArrayLike<number>, length: number): void {
  if (array.length !== length) {
    throw new RangeError(`${name} has ${array.length} elements, expected ${length} (the length of xt)`);
  }
}

/**
 * Scalars of the transition t → prevT shared by the DDPM and DDIM steps (module-level so the
 * steps allocate nothing). For a strided step the "effective" β_t = 1 − ᾱ_t/ᾱ_prev (diffusers'
 * current_beta_t); for prevT = t − 1 it is the table's β_t.
 */
const transition = {
  sqrtAlphaBar: 0,
  sqrtOneMinusAlphaBar: 0,
  oneMinusAlphaBar: 0,
  alphaBarPrev: 1,
  sqrtAlphaBarPrev: 1,
  oneMinusAlphaBarPrev: 0,
  beta: 0,
  alpha: 1,
};

function setTransition(tables: ScheduleTables, t: number, prevT: number): void {
  const s = transition;
  s.sqrtAlphaBar = tables.sqrtAlphaBars[t];
  s.sqrtOneMinusAlphaBar = tables.sqrtOneMinusAlphaBars[t];
  // 1 − ᾱ from the √(1 − ᾱ) table keeps full relative precision where ᾱ ≈ 1.
  s.oneMinusAlphaBar = s.sqrtOneMinusAlphaBar * s.sqrtOneMinusAlphaBar;
  if (prevT < 0) {
    // Final step: ᾱ_prev = 1 (diffusers' final_alpha_cumprod / set_alpha_to_one).
    s.alphaBarPrev = 1;
    s.sqrtAlphaBarPrev = 1;
    s.oneMinusAlphaBarPrev = 0;
  } else {
    s.alphaBarPrev = tables.alphaBars[prevT];
    s.sqrtAlphaBarPrev = tables.sqrtAlphaBars[prevT];
    s.oneMinusAlphaBarPrev = tables.sqrtOneMinusAlphaBars[prevT] * tables.sqrtOneMinusAlphaBars[prevT];
  }
  // Effective β_t = 1 − ᾱ_t/ᾱ_prev = 1 − Π_{prevT<s≤t} (1 − β_s), accumulated from the β table
  // (1 − p·(1 − β) = (1 − p) + p·β) so it keeps full relative precision for small and large β.
  let alpha = 1;
  let beta = 0;
  for (let k = Math.max(prevT, -1) + 1; k <= t; k++) {
    beta += alpha * tables.betas[k];
    alpha *= 1 - tables.betas[k];
  }
  s.alpha = alpha;
  s.beta = beta;
}

/** x̂_0 from one element of the model output (before clipping). */
function x0FromOutput(kind: number, x: number, m: number, sqrtAlphaBar: number, sqrtOneMinusAlphaBar: number): number {
  if (kind === EPSILON) return (x - sqrtOneMinusAlphaBar * m) / sqrtAlphaBar; // Ho et al. 2020, eq. 4 solved for x_0
  if (kind === SAMPLE) return m;
  return sqrtAlphaBar * x - sqrtOneMinusAlphaBar * m; // v = √ᾱ ε − √(1−ᾱ) x_0 (Salimans & Ho 2022, §4)
}

const EPSILON = 0;
const SAMPLE = 1;
const V_PREDICTION = 2;
function predictionKind(config: SchedulerConfig): number {
  const type = config.prediction_type;
  if (type === 'epsilon') return EPSILON;
  if (type === 'sample') return SAMPLE;
  if (type === 'v_prediction') return V_PREDICTION;
  throw new RangeError(`unknown prediction_type ${JSON.stringify(type)}`);
}

/**
 * q(x_t | x_0) = √ᾱ_t x_0 + √(1 − ᾱ_t) ε (Ho et al. 2020, eq. 4), for a batch: item i is
 * elements [i·D, (i+1)·D) with D = x0.length / t.length and timestep t[i]. out may alias x0 or eps.
 */
export function addNoise(
  tables: ScheduleTables,
  x0: Float32Array,
  eps: Float32Array,
  t: ArrayLike<number>,
  out: Float32Array,
): void {
  const n = x0.length;
  checkLength('eps', eps, n);
  checkLength('out', out, n);
  const items = t.length;
  if (items === 0 || n % items !== 0) {
    throw new RangeError(`x0 has ${n} elements, not a multiple of the ${items} timesteps given`);
  }
  const d = n / items;
  for (let item = 0; item < items; item++) {
    const ti = t[item];
    checkTimestep(tables, ti, `t[${item}]`);
    const a = tables.sqrtAlphaBars[ti];
    const b = tables.sqrtOneMinusAlphaBars[ti];
    for (let i = item * d, end = i + d; i < end; i++) out[i] = a * x0[i] + b * eps[i];
  }
}

/**
 * x̂_0 from the model output at timestep t, per config.prediction_type (ε, x_0 or v);
 * no clipping. out may alias xt or modelOutput.
 */
export function predictX0(
  tables: ScheduleTables,
  config: SchedulerConfig,
  xt: Float32Array,
  modelOutput: Float32Array,
  t: number,
  out: Float32Array,
): void {
  checkTimestep(tables, t, 't');
  checkLength('modelOutput', modelOutput, xt.length);
  checkLength('out', out, xt.length);
  const kind = predictionKind(config);
  const a = tables.sqrtAlphaBars[t];
  const b = tables.sqrtOneMinusAlphaBars[t];
  for (let i = 0; i < xt.length; i++) out[i] = x0FromOutput(kind, xt[i], modelOutput[i], a, b);
}

/** Whether a step uses its noise z: DDPM adds σ_t z only when t > 0; DDIM only when η > 0 and prevT ≥ 0 (else σ = 0). */
export function stepAddsNoise(kind: 'ddpm' | 'ddim', t: number, prevT: number, eta = 0): boolean {
  return kind === 'ddpm' ? t > 0 : eta > 0 && prevT >= 0;
}

/** σ_t of the DDPM step for config.variance_type (diffusers' DDPMScheduler._get_variance). */
function ddpmSigma(tables: ScheduleTables, config: SchedulerConfig, t: number, prevT: number): number {
  const s = transition;
  const consecutive = prevT === t - 1;
  // β̃_t = (1 − ᾱ_prev)/(1 − ᾱ_t) · β_t (Ho et al. 2020, eq. 7)
  const betaTilde = consecutive ? tables.posteriorVariance[t] : (s.oneMinusAlphaBarPrev / s.oneMinusAlphaBar) * s.beta;
  switch (config.variance_type) {
    case 'fixed_small':
      return Math.sqrt(Math.max(betaTilde, MIN_VARIANCE));
    case 'fixed_small_log': {
      const logVariance = consecutive && t > 0 ? tables.posteriorLogVarianceClipped[t] : ln(Math.max(betaTilde, MIN_VARIANCE));
      return exp(0.5 * logVariance);
    }
    case 'fixed_large':
      return Math.sqrt(s.beta);
    case 'fixed_large_log':
      // diffusers stores ln β here and then takes its square root (NaN); σ = exp(½ ln β) is the intent.
      return exp(0.5 * ln(s.beta));
  }
  throw new RangeError(`unknown variance_type ${JSON.stringify(config.variance_type)}`);
}

/**
 * One DDPM ancestral step x_t → x_prevT (Ho et al. 2020, eqs. 6–7, diffusers semantics):
 * x̂_0 from the model output (clamped to ±clip_sample_range if clip_sample), posterior mean
 * μ̃ = c₁ x̂_0 + c₂ x_t, plus σ_t z when t > 0. prevT < 0 means the final step (ᾱ_prev = 1).
 * z is read only when {@link stepAddsNoise}('ddpm', t, prevT) (else it may be null). x0Out receives x̂_0.
 */
export function ddpmStep(
  tables: ScheduleTables,
  config: SchedulerConfig,
  xt: Float32Array,
  modelOutput: Float32Array,
  t: number,
  prevT: number,
  z: Float32Array | null,
  out: Float32Array,
  x0Out?: Float32Array,
): void {
  checkPrevTimestep(tables, t, prevT);
  const n = xt.length;
  checkLength('modelOutput', modelOutput, n);
  checkLength('out', out, n);
  if (x0Out) checkLength('x0Out', x0Out, n);
  const noisy = stepAddsNoise('ddpm', t, prevT);
  if (noisy) {
    if (!z) throw new RangeError(`DDPM step t = ${t} → ${prevT} needs noise z, got null`);
    checkLength('z', z, n);
  }

  setTransition(tables, t, prevT);
  const s = transition;
  let c1: number;
  let c2: number;
  if (prevT === t - 1) {
    c1 = tables.posteriorMeanCoef1[t];
    c2 = tables.posteriorMeanCoef2[t];
  } else {
    c1 = (s.sqrtAlphaBarPrev * s.beta) / s.oneMinusAlphaBar; // Ho et al. 2020, eq. 7
    c2 = (Math.sqrt(s.alpha) * s.oneMinusAlphaBarPrev) / s.oneMinusAlphaBar;
  }
  const sigma = noisy ? ddpmSigma(tables, config, t, prevT) : 0;
  const kind = predictionKind(config);
  const clip = config.clip_sample;
  const range = config.clip_sample_range;
  const { sqrtAlphaBar: a, sqrtOneMinusAlphaBar: b } = s;
  for (let i = 0; i < n; i++) {
    const x = xt[i];
    let x0 = x0FromOutput(kind, x, modelOutput[i], a, b);
    if (clip) x0 = Math.min(range, Math.max(-range, x0));
    const noise = noisy ? sigma * (z as Float32Array)[i] : 0;
    if (x0Out) x0Out[i] = x0;
    out[i] = c1 * x0 + c2 * x + noise;
  }
}

/**
 * One DDIM step x_t → x_prevT (Song et al. 2021, eq. 12, diffusers semantics):
 * x_prev = √ᾱ_prev x̂_0 + √(1 − ᾱ_prev − σ²) ε̂ + σ z, σ = η √((1−ᾱ_prev)/(1−ᾱ_t)) √(1 − ᾱ_t/ᾱ_prev).
 * When clip_sample clamps x̂_0, ε̂ is recomputed from the clamped x̂_0 (as diffusers does).
 * prevT < 0 means ᾱ_prev = 1. z may be null when σ = 0 (η = 0 or prevT < 0). x0Out receives x̂_0.
 */
export function ddimStep(
  tables: ScheduleTables,
  config: SchedulerConfig,
  xt: Float32Array,
  modelOutput: Float32Array,
  t: number,
  prevT: number,
  eta: number,
  z: Float32Array | null,
  out: Float32Array,
  x0Out?: Float32Array,
): void {
  checkPrevTimestep(tables, t, prevT);
  if (!(eta >= 0 && eta < Number.POSITIVE_INFINITY)) throw new RangeError(`eta must be a finite number ≥ 0, got ${eta}`);
  const n = xt.length;
  checkLength('modelOutput', modelOutput, n);
  checkLength('out', out, n);
  if (x0Out) checkLength('x0Out', x0Out, n);
  const noisy = stepAddsNoise('ddim', t, prevT, eta);
  if (noisy) {
    if (!z) throw new RangeError(`DDIM step t = ${t} → ${prevT} with eta = ${eta} needs noise z, got null`);
    checkLength('z', z, n);
  }

  setTransition(tables, t, prevT);
  const s = transition;
  const variance = (s.oneMinusAlphaBarPrev / s.oneMinusAlphaBar) * s.beta; // Song et al. 2021, eq. 16
  const sigma = noisy ? eta * Math.sqrt(variance) : 0;
  const direction = Math.sqrt(Math.max(0, s.oneMinusAlphaBarPrev - sigma * sigma)); // coefficient of ε̂
  const kind = predictionKind(config);
  const clip = config.clip_sample;
  const range = config.clip_sample_range;
  const { sqrtAlphaBar: a, sqrtOneMinusAlphaBar: b, sqrtAlphaBarPrev: aPrev } = s;
  for (let i = 0; i < n; i++) {
    const x = xt[i];
    const m = modelOutput[i];
    let x0 = x0FromOutput(kind, x, m, a, b);
    let eps: number;
    if (clip) {
      x0 = Math.min(range, Math.max(-range, x0));
      eps = (x - a * x0) / b;
    } else if (kind === EPSILON) eps = m;
    else if (kind === SAMPLE) eps = (x - a * x0) / b;
    else eps = a * m + b * x; // ε from v (Salimans & Ho 2022)
    const noise = noisy ? sigma * (z as Float32Array)[i] : 0;
    if (x0Out) x0Out[i] = x0;
    out[i] = aPrev * x0 + direction * eps + noise;
  }
}

/**
 * Classifier-free guidance ε̂ = ε_u + s·(ε_c − ε_u) (Ho & Salimans 2022, eq. 6 with s = 1 + w);
 * s = 1 gives ε_c. out may alias either input.
 */
export function guidance(epsUncond: Float32Array, epsCond: Float32Array, scale: number, out: Float32Array): void {
  const n = epsUncond.length;
  if (epsCond.length !== n || out.length !== n) {
    throw new RangeError(`guidance: epsUncond, epsCond and out must have equal lengths, got ${n}, ${epsCond.length}, ${out.length}`);
  }
  for (let i = 0; i < n; i++) {
    const u = epsUncond[i];
    out[i] = u + scale * (epsCond[i] - u);
  }
}
