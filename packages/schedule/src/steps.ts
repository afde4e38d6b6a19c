/**
 * Elementwise diffusion math on Float32Array buffers — q(x_t | x_0), x̂_0 from a prediction,
 * classifier-free guidance — and the helpers the schedulers' steps share. Nothing here allocates;
 * `out` may alias any input (every element i is read before out[i] is written).
 */

import type { SchedulerConfig } from './config.js';
import type { ScheduleTables } from './tables.js';

export function checkTimestep(tables: ScheduleTables, t: number, name: string): void {
  if (!Number.isInteger(t) || t < 0 || t >= tables.T) {
    throw new RangeError(`${name} must be an integer timestep in [0, ${tables.T - 1}], got ${t}`);
  }
}

export function checkLength(name: string, array: ArrayLike<number>, length: number): void {
  if (array.length !== length) {
    throw new RangeError(`${name} has ${array.length} elements, expected ${length} (the length of xt)`);
  }
}

/** x̂_0 from one element of the model output (before clipping). */
export function x0FromOutput(kind: number, x: number, m: number, sqrtAlphaBar: number, sqrtOneMinusAlphaBar: number): number {
  if (kind === EPSILON) return (x - sqrtOneMinusAlphaBar * m) / sqrtAlphaBar; // Ho et al. 2020, eq. 4 solved for x_0
  if (kind === SAMPLE) return m;
  return sqrtAlphaBar * x - sqrtOneMinusAlphaBar * m; // v = √ᾱ ε − √(1−ᾱ) x_0 (Salimans & Ho 2022, §4)
}

export const EPSILON = 0;
export const SAMPLE = 1;
const V_PREDICTION = 2;
export function predictionKind(config: SchedulerConfig): number {
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
