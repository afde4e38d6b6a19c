import type { ReverseLoopHooks, Scheduler } from '@onnx-ddpm/schedule';
import { SamplerError } from './errors.js';

/** What inpainting keeps: x_0 where mask = 1 (values in [0, 1] blend), resampled `resample` times per step. */
export interface Inpainting {
  /** The known image(s), [N, ...item] flat, in the model's range. */
  x0: Float32Array;
  /** 1 = keep x_0, 0 = sample; same length as x0. */
  mask: Float32Array;
  /** RePaint's U: runs of each step (default 1). */
  resample?: number;
}

/**
 * RePaint's hooks for a host loop (Lugmayr et al. 2022, eq. 8): after each step,
 * x_prevT = m ⊙ x_prevT^known + (1 − m) ⊙ x_prevT^unknown with x_prevT^known ~ q(x_prevT | x_0)
 * (x_0 itself after the final step, ᾱ = 1), so the kept region of the result is x_0 exactly; between
 * resampling runs, x_prevT is noised back to x_t. `current` returns the loop's live x.
 */
export function knownRegionHooks(
  scheduler: Scheduler,
  { x0, mask, resample }: Inpainting,
  size: number,
  current: () => Float32Array,
): Required<Pick<ReverseLoopHooks, 'afterStep' | 'renoise'>> {
  if (x0.length !== size) throw new SamplerError(`inpainting x0 has ${x0.length} values, the batch has ${size}`);
  if (mask.length !== size) throw new SamplerError(`inpainting mask has ${mask.length} values, the batch has ${size}`);
  const bad = mask.findIndex((m) => !(m >= 0 && m <= 1));
  if (bad >= 0) throw new SamplerError(`inpainting mask values must be in [0, 1], got ${mask[bad]} at ${bad}`);
  if (resample !== undefined && !(Number.isInteger(resample) && resample >= 1)) {
    throw new SamplerError(`resample must be a positive integer, got ${resample}`);
  }
  const known = new Float32Array(size);
  return {
    afterStep: (s) => {
      const x = current();
      if (s.prevT < 0) known.set(x0);
      else scheduler.addNoise(x0, s.eps, [s.prevT], known);
      for (let i = 0; i < size; i++) {
        const m = mask[i]!;
        if (m === 1) x[i] = known[i]!;
        else if (m !== 0) x[i] = m * known[i]! + (1 - m) * x[i]!;
      }
    },
    renoise: (s, eps) => scheduler.renoise(s.k, current(), eps, current()),
  };
}
