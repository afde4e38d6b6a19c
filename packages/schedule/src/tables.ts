/** Derived schedule tables: computed in float64, published as Float32Array. */

import { computeBetas } from './beta-schedules.js';
import { parseSchedulerConfig, type SchedulerConfig } from './config.js';
import { ln } from './elementary.js';

/**
 * All arrays have length T; index t (0-based) is the paper's timestep t+1, as in diffusers.
 * Every entry is the float64 value rounded once to float32.
 */
export interface ScheduleTables {
  T: number;
  /** β_t */
  betas: Float32Array;
  /** α_t = 1 − β_t */
  alphas: Float32Array;
  /** ᾱ_t = Π_{s≤t} α_s */
  alphaBars: Float32Array;
  /** ᾱ_{t−1}, with ᾱ_{−1} = 1 */
  alphaBarsPrev: Float32Array;
  /** √ᾱ_t */
  sqrtAlphaBars: Float32Array;
  /** √(1 − ᾱ_t) */
  sqrtOneMinusAlphaBars: Float32Array;
  /** 1/√α_t */
  sqrtRecipAlphas: Float32Array;
  /** β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t) (Ho et al. 2020, eq. 7); 0 at t = 0 */
  posteriorVariance: Float32Array;
  /** ln β̃_t, with the t = 0 entry replaced by ln β̃_1 (Ho et al.'s posterior_log_variance_clipped) */
  posteriorLogVarianceClipped: Float32Array;
  /** coefficient of x̂_0 in μ̃_t: β_t √ᾱ_{t−1} / (1 − ᾱ_t) (Ho et al. 2020, eq. 7) */
  posteriorMeanCoef1: Float32Array;
  /** coefficient of x_t in μ̃_t: (1 − ᾱ_{t−1}) √α_t / (1 − ᾱ_t) (Ho et al. 2020, eq. 7) */
  posteriorMeanCoef2: Float32Array;
}

/** The table names in the fixed order used by {@link fingerprint}. */
export const TABLE_NAMES = [
  'betas',
  'alphas',
  'alphaBars',
  'alphaBarsPrev',
  'sqrtAlphaBars',
  'sqrtOneMinusAlphaBars',
  'sqrtRecipAlphas',
  'posteriorVariance',
  'posteriorLogVarianceClipped',
  'posteriorMeanCoef1',
  'posteriorMeanCoef2',
] as const satisfies readonly (keyof ScheduleTables)[];

/** Computes every table of the config's schedule (validating the config first). */
export function computeTables(config: SchedulerConfig): ScheduleTables {
  const checked = parseSchedulerConfig(config);
  const T = checked.num_train_timesteps;
  const beta = computeBetas(checked);
  const tables: ScheduleTables = {
    T,
    betas: new Float32Array(T),
    alphas: new Float32Array(T),
    alphaBars: new Float32Array(T),
    alphaBarsPrev: new Float32Array(T),
    sqrtAlphaBars: new Float32Array(T),
    sqrtOneMinusAlphaBars: new Float32Array(T),
    sqrtRecipAlphas: new Float32Array(T),
    posteriorVariance: new Float32Array(T),
    posteriorLogVarianceClipped: new Float32Array(T),
    posteriorMeanCoef1: new Float32Array(T),
    posteriorMeanCoef2: new Float32Array(T),
  };
  const betaTilde = new Float64Array(T);
  // ᾱ and 1 − ᾱ are carried separately: 1 − ᾱ_t = (1 − ᾱ_{t−1}) + ᾱ_{t−1} β_t has no cancellation.
  let alphaBarPrev = 1;
  let oneMinusAlphaBarPrev = 0;
  for (let t = 0; t < T; t++) {
    const b = beta[t];
    const alpha = 1 - b;
    const alphaBar = alphaBarPrev * alpha; // ᾱ_t = Π α_s
    const oneMinusAlphaBar = oneMinusAlphaBarPrev + alphaBarPrev * b;
    betaTilde[t] = (b * oneMinusAlphaBarPrev) / oneMinusAlphaBar; // Ho et al. 2020, eq. 7
    tables.betas[t] = b;
    tables.alphas[t] = alpha;
    tables.alphaBars[t] = alphaBar;
    tables.alphaBarsPrev[t] = alphaBarPrev;
    tables.sqrtAlphaBars[t] = Math.sqrt(alphaBar);
    tables.sqrtOneMinusAlphaBars[t] = Math.sqrt(oneMinusAlphaBar);
    tables.sqrtRecipAlphas[t] = 1 / Math.sqrt(alpha);
    tables.posteriorVariance[t] = betaTilde[t];
    tables.posteriorMeanCoef1[t] = (b * Math.sqrt(alphaBarPrev)) / oneMinusAlphaBar; // Ho et al. 2020, eq. 7
    tables.posteriorMeanCoef2[t] = (oneMinusAlphaBarPrev * Math.sqrt(alpha)) / oneMinusAlphaBar;
    alphaBarPrev = alphaBar;
    oneMinusAlphaBarPrev = oneMinusAlphaBar;
  }
  // β̃_0 = 0, so its log is taken from β̃_1 as in Ho et al.'s code.
  for (let t = 0; t < T; t++) tables.posteriorLogVarianceClipped[t] = ln(betaTilde[t === 0 ? 1 : t]);
  return tables;
}
