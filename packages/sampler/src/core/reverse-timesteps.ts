import { inferenceTimesteps, previousTimestep, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { SamplerError } from './errors.js';

export type SamplingMethod = 'ddpm' | 'ddim';

/** The reverse steps to run: step k goes from `t[k]` to `prevT[k]` (−1 = the final step, ᾱ_prev = 1). */
export interface ReversePlan {
  t: Int32Array;
  prevT: Int32Array;
}

/**
 * Timesteps for a reverse run. DDPM without `steps` walks all T steps, t = T−1 … 0 (Ho et al. 2020,
 * Alg. 2); otherwise `steps` timesteps follow the config's `timestep_spacing` and each goes to
 * t − T // steps, as diffusers' schedulers do.
 */
export function planReverseSteps(config: SchedulerConfig, method: SamplingMethod, steps?: number): ReversePlan {
  const T = config.num_train_timesteps;
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1 || steps > T)) {
    throw new SamplerError(`steps must be an integer in [1, ${T}] (num_train_timesteps), got ${steps}`);
  }
  if (method === 'ddim' && steps === undefined) throw new SamplerError('DDIM needs a number of steps');
  const n = steps ?? T;
  let t: Int32Array;
  if (method === 'ddpm' && n === T) {
    t = new Int32Array(T);
    for (let k = 0; k < T; k++) t[k] = T - 1 - k;
  } else {
    t = inferenceTimesteps(config, n);
  }
  const prevT = new Int32Array(t.length);
  for (let k = 0; k < t.length; k++) prevT[k] = Math.max(-1, previousTimestep(config, n, t[k]!));
  return { t, prevT };
}
