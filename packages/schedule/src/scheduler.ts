/**
 * Schedulers as objects (diffusers' DDPMScheduler / DDIMScheduler): each owns its timesteps, knows
 * which steps add noise, runs `step()` on Float32Array buffers and gives the coefficient form of a
 * step for loops that run it elsewhere (the device-resident web loop). Per-step scalars are
 * computed once, in float64, when the scheduler is made; `step()` then allocates nothing.
 *
 * Batches: `step()` treats sample/modelOutput/noise/out as flat arrays of equal length (any number
 * of items sharing one t). Aliasing: every element i is read before out[i] is written, so `out`
 * (and `x0Out`) may be the same array as any input (e.g. out === sample), but out and x0Out must differ.
 */

import { type SchedulerConfig, SchedulerConfigError } from './config.js';
import { exp, ln } from './elementary.js';
import { addNoise, checkLength, checkTimestep, EPSILON, predictionKind, SAMPLE, x0FromOutput } from './steps.js';
import { computeTables, type ScheduleTables } from './tables.js';
import { inferenceTimesteps, previousTimestep } from './timesteps.js';

/** The reverse processes this package implements. */
export const SAMPLING_METHODS = ['ddpm', 'ddim'] as const;
export type SamplingMethod = (typeof SAMPLING_METHODS)[number];

/** diffusers clamps the posterior variance here before taking its log. */
const MIN_VARIANCE = 1e-20;

/** The buffers of one step x_t → x_prevT. */
export interface StepBuffers {
  /** x_t */
  sample: Float32Array;
  /** The model's prediction at t (ε, x̂_0 or v per prediction_type). */
  modelOutput: Float32Array;
  /** z ~ N(0, I); read only when the step adds noise ({@link Scheduler.addsNoise}), else may be null. */
  noise: Float32Array | null;
  /** Receives x_prevT. */
  out: Float32Array;
  /** Receives x̂_0 (after clipping). */
  x0Out?: Float32Array;
}

/**
 * Every DDPM/DDIM step has the form
 *   x̂_0 = clip(α·x_t + β·m),   x_prev = p·x̂_0 + q·x_t + s·z
 * with m the model output and per-step scalars α, β, p, q, s (for DDIM with clipping, ε̂ is
 * recomputed from the clipped x̂_0, which is again p·x̂_0 + q·x_t).
 */
export interface StepCoefficients {
  /** x̂_0 = α·x_t + β·m before clipping. */
  alpha: number;
  beta: number;
  /** x_prev = p·x̂_0 + q·x_t + s·z. */
  p: number;
  q: number;
  s: number;
}

export interface DdpmOptions {
  /** Number of steps; all T when omitted, else strided per timestep_spacing (each to t − T // steps). */
  steps?: number;
  /** Explicit descending timesteps instead; each step goes to the next entry, the last to −1 (ᾱ_prev = 1). */
  timesteps?: ArrayLike<number>;
}

export interface DdimOptions {
  /** Number of steps, per timestep_spacing (each to t − T // steps). Required unless `timesteps` is given. */
  steps?: number;
  /** Explicit descending timesteps instead; each step goes to the next entry, the last to −1. */
  timesteps?: ArrayLike<number>;
  /** η: 0 = deterministic DDIM, 1 ≈ DDPM's variance (default 0). */
  eta?: number;
}

/** Per-step scalars of the transition t → prevT. */
interface Transition {
  t: number;
  prevT: number;
  noisy: boolean;
  /** √ᾱ_t and √(1 − ᾱ_t): x̂_0 from the model output. */
  a: number;
  b: number;
  /** DDPM: out = c1·x̂_0 + c2·x_t + σz; DDIM: out = c1·x̂_0 + c2·ε̂ + σz. */
  c1: number;
  c2: number;
  sigma: number;
}

/**
 * Scalars shared by the DDPM and DDIM steps. For a strided step the "effective" β_t = 1 − ᾱ_t/ᾱ_prev
 * (diffusers' current_beta_t); for prevT = t − 1 it is the table's β_t.
 */
function transitionScalars(tables: ScheduleTables, t: number, prevT: number) {
  const sqrtAlphaBar = tables.sqrtAlphaBars[t];
  const sqrtOneMinusAlphaBar = tables.sqrtOneMinusAlphaBars[t];
  // 1 − ᾱ from the √(1 − ᾱ) table keeps full relative precision where ᾱ ≈ 1.
  const oneMinusAlphaBar = sqrtOneMinusAlphaBar * sqrtOneMinusAlphaBar;
  // Final step: ᾱ_prev = 1 (diffusers' final_alpha_cumprod / set_alpha_to_one).
  const sqrtAlphaBarPrev = prevT < 0 ? 1 : tables.sqrtAlphaBars[prevT];
  const oneMinusAlphaBarPrev = prevT < 0 ? 0 : tables.sqrtOneMinusAlphaBars[prevT] * tables.sqrtOneMinusAlphaBars[prevT];
  // Effective β_t = 1 − ᾱ_t/ᾱ_prev = 1 − Π_{prevT<s≤t} (1 − β_s), accumulated from the β table
  // (1 − p·(1 − β) = (1 − p) + p·β) so it keeps full relative precision for small and large β.
  let alpha = 1;
  let beta = 0;
  for (let k = Math.max(prevT, -1) + 1; k <= t; k++) {
    beta += alpha * tables.betas[k];
    alpha *= 1 - tables.betas[k];
  }
  return { sqrtAlphaBar, sqrtOneMinusAlphaBar, oneMinusAlphaBar, sqrtAlphaBarPrev, oneMinusAlphaBarPrev, alpha, beta };
}

type Scalars = ReturnType<typeof transitionScalars>;

function checkPrevTimestep(tables: ScheduleTables, t: number, prevT: number): void {
  checkTimestep(tables, t, 't');
  if (!Number.isInteger(prevT) || prevT >= t) {
    throw new RangeError(`prevT must be an integer below t = ${t} (negative for the final step), got ${prevT}`);
  }
}

function checkSteps(config: SchedulerConfig, steps: number): void {
  const T = config.num_train_timesteps;
  if (!Number.isInteger(steps) || steps < 1 || steps > T) {
    throw new SchedulerConfigError(`steps must be an integer in [1, ${T}] (num_train_timesteps), got ${steps}`);
  }
}

/** (t, prevT) of each step: explicit timesteps go to the next entry; `steps` follow diffusers (t − T // steps). */
function planSteps(config: SchedulerConfig, steps: number, explicit: ArrayLike<number> | undefined, method: SamplingMethod): [number, number][] {
  if (explicit) {
    return Array.from(explicit, (t, k) => [t, k + 1 < explicit.length ? explicit[k + 1]! : -1]);
  }
  checkSteps(config, steps);
  const T = config.num_train_timesteps;
  // DDPM over all T steps walks t = T−1 … 0 (Ho et al. 2020, Alg. 2), whatever the spacing.
  const fullWalk = method === 'ddpm' && steps === T;
  const t = fullWalk ? Int32Array.from({ length: T }, (_, k) => T - 1 - k) : inferenceTimesteps(config, steps);
  return Array.from(t, (tk) => [tk, Math.max(-1, previousTimestep(config, steps, tk))]);
}

/** A reverse-process scheduler: the timesteps, which of them add noise, and the step. */
export abstract class Scheduler {
  abstract readonly method: SamplingMethod;
  readonly tables: ScheduleTables;
  /** t of step k (descending). */
  readonly timesteps: Int32Array;
  /** The timestep step k goes to; −1 = the final step (ᾱ_prev = 1). */
  readonly prevTimesteps: Int32Array;
  protected readonly transitions: Transition[];
  private readonly kind: number;
  // Probe buffers of coefficients(): owned by this scheduler, never shared.
  private readonly probe = { x: Float32Array.of(1, 0, 0), m: Float32Array.of(0, 1, 0), z: Float32Array.of(0, 0, 1), out: new Float32Array(3), x0: new Float32Array(3) };

  protected constructor(
    readonly config: SchedulerConfig,
    plan: [number, number][],
    transition: (tables: ScheduleTables, t: number, prevT: number) => Transition,
  ) {
    this.kind = predictionKind(config);
    this.tables = computeTables(config);
    if (plan.length === 0) throw new SchedulerConfigError('a scheduler needs at least one timestep');
    for (const [t, prevT] of plan) checkPrevTimestep(this.tables, t, prevT);
    this.timesteps = Int32Array.from(plan, ([t]) => t);
    this.prevTimesteps = Int32Array.from(plan, ([, prevT]) => prevT);
    this.transitions = plan.map(([t, prevT]) => transition(this.tables, t, prevT));
  }

  /** Number of reverse steps. */
  get length(): number {
    return this.timesteps.length;
  }

  /** Whether step k uses its noise z. */
  addsNoise(k: number): boolean {
    return this.at(k).noisy;
  }

  /** One reverse step k: x_t (t = timesteps[k]) → x_prevT. */
  step(k: number, buffers: StepBuffers): void {
    const s = this.at(k);
    const n = buffers.sample.length;
    checkLength('modelOutput', buffers.modelOutput, n);
    checkLength('out', buffers.out, n);
    if (buffers.x0Out) checkLength('x0Out', buffers.x0Out, n);
    if (s.noisy) {
      if (!buffers.noise) throw new RangeError(`${this.describeStep(s)} needs noise z, got null`);
      checkLength('z', buffers.noise, n);
    }
    this.kernel(s, this.config.clip_sample, buffers);
  }

  /**
   * The scalars of step k in the form of {@link StepCoefficients}, read off this scheduler's own
   * step: with clipping off the step is linear in (x_t, m, z), so running it on the unit vectors
   * gives the coefficients exactly as `step()` computes them (float64 math, float32 results).
   */
  coefficients(k: number): StepCoefficients {
    const s = this.at(k);
    const { x, m, z, out, x0 } = this.probe;
    this.kernel(s, false, { sample: x, modelOutput: m, noise: s.noisy ? z : null, out, x0Out: x0 });
    const alpha = x0[0]!;
    const beta = x0[1]!; // −√(1−ᾱ)/√ᾱ, 1 or −√(1−ᾱ): never 0
    // ∂x_prev/∂m = p·β and ∂x_prev/∂x_t = p·α + q.
    const p = out[1]! / beta;
    return { alpha, beta, p, q: out[0]! - p * alpha, s: s.noisy ? out[2]! : 0 };
  }

  /** q(x_t | x_0) with one timestep per item (Ho et al. 2020, eq. 4); see {@link addNoise}. */
  addNoise(x0: Float32Array, eps: Float32Array, t: ArrayLike<number>, out: Float32Array): void {
    addNoise(this.tables, x0, eps, t, out);
  }

  protected abstract describeStep(s: Transition): string;

  /** One pass over the elements; `clip` apart, everything comes from the precomputed transition. */
  protected abstract kernel(s: Transition, clip: boolean, buffers: StepBuffers): void;

  protected x0At(x: number, m: number, s: Transition): number {
    return x0FromOutput(this.kind, x, m, s.a, s.b);
  }

  protected get predictionKind(): number {
    return this.kind;
  }

  private at(k: number): Transition {
    const s = this.transitions[k];
    if (!s) throw new RangeError(`step index must be an integer in [0, ${this.transitions.length - 1}], got ${k}`);
    return s;
  }
}

/** σ_t of the DDPM step for config.variance_type (diffusers' DDPMScheduler._get_variance). */
function ddpmSigma(tables: ScheduleTables, config: SchedulerConfig, t: number, prevT: number, s: Scalars): number {
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
 * DDPM ancestral sampling (Ho et al. 2020, eqs. 6–7, diffusers semantics): x̂_0 from the model
 * output (clamped to ±clip_sample_range if clip_sample), posterior mean μ̃ = c₁ x̂_0 + c₂ x_t, plus
 * σ_t z when t > 0 (also on the final step of a strided schedule, as diffusers does).
 */
class DdpmScheduler extends Scheduler {
  readonly method = 'ddpm';

  constructor(config: SchedulerConfig, opts: DdpmOptions) {
    super(config, planSteps(config, opts.steps ?? config.num_train_timesteps, opts.timesteps, 'ddpm'), (tables, t, prevT) => {
      const s = transitionScalars(tables, t, prevT);
      const noisy = t > 0;
      const consecutive = prevT === t - 1;
      return {
        t,
        prevT,
        noisy,
        a: s.sqrtAlphaBar,
        b: s.sqrtOneMinusAlphaBar,
        c1: consecutive ? tables.posteriorMeanCoef1[t] : (s.sqrtAlphaBarPrev * s.beta) / s.oneMinusAlphaBar, // Ho et al. 2020, eq. 7
        c2: consecutive ? tables.posteriorMeanCoef2[t] : (Math.sqrt(s.alpha) * s.oneMinusAlphaBarPrev) / s.oneMinusAlphaBar,
        sigma: noisy ? ddpmSigma(tables, config, t, prevT, s) : 0,
      };
    });
  }

  protected describeStep(s: Transition): string {
    return `DDPM step t = ${s.t} → ${s.prevT}`;
  }

  protected kernel(s: Transition, clip: boolean, { sample, modelOutput, noise, out, x0Out }: StepBuffers): void {
    const range = this.config.clip_sample_range;
    const { c1, c2, sigma, noisy } = s;
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i];
      let x0 = this.x0At(x, modelOutput[i], s);
      if (clip) x0 = Math.min(range, Math.max(-range, x0));
      const z = noisy ? sigma * (noise as Float32Array)[i] : 0;
      if (x0Out) x0Out[i] = x0;
      out[i] = c1 * x0 + c2 * x + z;
    }
  }
}

/** Checks DDIM's η; the one place it is validated. */
function checkEta(eta: number): number {
  if (!(eta >= 0)) throw new SchedulerConfigError(`eta must be ≥ 0, got ${eta}`);
  if (eta === Number.POSITIVE_INFINITY) throw new SchedulerConfigError('eta must be finite, got Infinity');
  return eta;
}

/**
 * DDIM (Song et al. 2021, eq. 12, diffusers semantics):
 * x_prev = √ᾱ_prev x̂_0 + √(1 − ᾱ_prev − σ²) ε̂ + σ z, σ = η √((1−ᾱ_prev)/(1−ᾱ_t)) √(1 − ᾱ_t/ᾱ_prev).
 * When clip_sample clamps x̂_0, ε̂ is recomputed from the clamped x̂_0 (as diffusers does).
 * Steps add noise only when η > 0 and prevT ≥ 0 (else σ = 0).
 */
class DdimScheduler extends Scheduler {
  readonly method = 'ddim';
  readonly eta: number;

  constructor(config: SchedulerConfig, opts: DdimOptions) {
    if (opts.steps === undefined && opts.timesteps === undefined) throw new SchedulerConfigError('DDIM needs a number of steps');
    const eta = checkEta(opts.eta ?? 0);
    super(config, planSteps(config, opts.steps ?? 0, opts.timesteps, 'ddim'), (tables, t, prevT) => {
      const s = transitionScalars(tables, t, prevT);
      const noisy = eta > 0 && prevT >= 0;
      const variance = (s.oneMinusAlphaBarPrev / s.oneMinusAlphaBar) * s.beta; // Song et al. 2021, eq. 16
      const sigma = noisy ? eta * Math.sqrt(variance) : 0;
      const direction = Math.sqrt(Math.max(0, s.oneMinusAlphaBarPrev - sigma * sigma)); // coefficient of ε̂
      return { t, prevT, noisy, a: s.sqrtAlphaBar, b: s.sqrtOneMinusAlphaBar, c1: s.sqrtAlphaBarPrev, c2: direction, sigma };
    });
    this.eta = eta;
  }

  protected describeStep(s: Transition): string {
    return `DDIM step t = ${s.t} → ${s.prevT} with eta = ${this.eta}`;
  }

  protected kernel(s: Transition, clip: boolean, { sample, modelOutput, noise, out, x0Out }: StepBuffers): void {
    const range = this.config.clip_sample_range;
    const kind = this.predictionKind;
    const { a, b, c1: aPrev, c2: direction, sigma, noisy } = s;
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i];
      const m = modelOutput[i];
      let x0 = this.x0At(x, m, s);
      let eps: number;
      if (clip) {
        x0 = Math.min(range, Math.max(-range, x0));
        eps = (x - a * x0) / b;
      } else if (kind === EPSILON) eps = m;
      else if (kind === SAMPLE) eps = (x - a * x0) / b;
      else eps = a * m + b * x; // ε from v (Salimans & Ho 2022)
      const z = noisy ? sigma * (noise as Float32Array)[i] : 0;
      if (x0Out) x0Out[i] = x0;
      out[i] = aPrev * x0 + direction * eps + z;
    }
  }
}

/** A DDPM scheduler (ancestral sampling) over all T steps, `steps` strided ones, or explicit `timesteps`. */
export function ddpm(config: SchedulerConfig, opts: DdpmOptions = {}): Scheduler {
  return new DdpmScheduler(config, opts);
}

/** A DDIM scheduler with `steps` steps (or explicit `timesteps`) and η (default 0). */
export function ddim(config: SchedulerConfig, opts: DdimOptions): Scheduler & { readonly eta: number } {
  return new DdimScheduler(config, opts);
}

/** The scheduler for a sampling method named at run time (CLI flag, page setting). */
export function createScheduler(config: SchedulerConfig, opts: { method: SamplingMethod; steps?: number; eta?: number }): Scheduler {
  const { method, steps, eta } = opts;
  if (method === 'ddim') return ddim(config, { steps, eta });
  if (method !== 'ddpm') throw new SchedulerConfigError(`method must be 'ddpm' or 'ddim', got '${String(method)}'`);
  if (eta !== undefined && eta !== 1) {
    throw new SchedulerConfigError(`eta applies to DDIM only (DDPM is always η = 1), got eta=${eta} with method 'ddpm'`);
  }
  return ddpm(config, { steps });
}
