import { slerp } from '@onnx-ddpm/schedule';
import { SamplerError } from './errors.js';

/**
 * `frames` latents on the great circle from `a` to `b` (slerp at α = f/(frames − 1)), stacked:
 * float32 [frames × a.length]. Run them through deterministic DDIM for an interpolation strip.
 */
export function interpolateLatents(a: Float32Array, b: Float32Array, frames: number): Float32Array {
  if (!Number.isInteger(frames) || frames < 2) throw new SamplerError(`frames must be an integer ≥ 2, got ${frames}`);
  if (a.length !== b.length) throw new SamplerError(`the two latents differ in size (${a.length} and ${b.length} values)`);
  const out = new Float32Array(frames * a.length);
  for (let f = 0; f < frames; f++) slerp(a, b, f / (frames - 1), out.subarray(f * a.length, (f + 1) * a.length));
  return out;
}
