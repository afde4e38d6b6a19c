import type { ReverseLoopStart, Scheduler } from '@onnx-ddpm/schedule';
import { SamplerError } from './errors.js';

/**
 * SDEdit's start (Meng et al. 2022) for strength s ∈ [0, 1] on a scheduler's K steps: noise x_0 to
 * t = s·T and run the last ⌊s·K⌋ steps (diffusers' img2img). s = 0 returns x_0, s = 1 samples from
 * noise (bit for bit the run without an input).
 */
export function img2imgStart(scheduler: Scheduler, x0: Float32Array, strength: number): ReverseLoopStart {
  if (!(strength >= 0 && strength <= 1)) throw new SamplerError(`strength must be in [0, 1], got ${strength}`);
  const K = scheduler.length;
  return { x0, step: K - Math.floor(strength * K) };
}
