/** The forward-process variances β_1..β_T for each beta_schedule, in float64. */

import type { SchedulerConfig } from './config.js';
import { cos, sigmoid } from './elementary.js';

/** n evenly spaced values from start to end inclusive (numpy/torch linspace; last = end exactly). */
export function linspace(start: number, end: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const step = n > 1 ? (end - start) / (n - 1) : 0;
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  if (n > 1) out[n - 1] = end;
  return out;
}

/** ᾱ(t) of the cosine schedule, t ∈ [0, 1]: cos²((t + s)/(1 + s) · π/2), s = 0.008 (Nichol & Dhariwal 2021, eq. 17). */
function cosineAlphaBar(t: number): number {
  const c = cos(((t + 0.008) / 1.008) * (Math.PI / 2));
  return c * c;
}

/** The largest β the cosine schedule allows (Nichol & Dhariwal 2021, §3.2). */
const MAX_COSINE_BETA = 0.999;

/** β_t for t = 0..T−1 (index t is the paper's β_{t+1}), computed in float64. */
export function computeBetas(config: SchedulerConfig): Float64Array {
  const T = config.num_train_timesteps;
  if (config.trained_betas) return Float64Array.from(config.trained_betas);
  const { beta_start: start, beta_end: end } = config;
  switch (config.beta_schedule) {
    case 'linear': // Ho et al. 2020, §4
      return linspace(start, end, T);
    case 'scaled_linear': {
      const betas = linspace(Math.sqrt(start), Math.sqrt(end), T);
      for (let i = 0; i < T; i++) betas[i] = betas[i] * betas[i];
      return betas;
    }
    case 'sigmoid': {
      const betas = linspace(-6, 6, T);
      for (let i = 0; i < T; i++) betas[i] = sigmoid(betas[i]) * (end - start) + start;
      return betas;
    }
    case 'squaredcos_cap_v2': {
      // β_i = min(1 − ᾱ((i+1)/T) / ᾱ(i/T), 0.999) (Nichol & Dhariwal 2021, §3.2)
      const betas = new Float64Array(T);
      for (let i = 0; i < T; i++) {
        betas[i] = Math.min(1 - cosineAlphaBar((i + 1) / T) / cosineAlphaBar(i / T), MAX_COSINE_BETA);
      }
      return betas;
    }
  }
}
