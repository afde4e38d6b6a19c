import { SamplerError } from './errors.js';

/** x ∈ [−1, 1] as a pixel in [0, 1], the way images are written: (x + 1)/2, clipped. */
function pixel(x: number): number {
  return Math.min(1, Math.max(0, (x + 1) / 2));
}

/**
 * Peak signal-to-noise ratio in dB of two images with values in [−1, 1], as the [0, 1] pixels they are
 * written as: PSNR = 10·log10(1 / MSE) (peak 1). Infinity when they are identical; NaN input gives −Infinity.
 */
export function psnr(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || a.length === 0) throw new SamplerError(`psnr needs two non-empty arrays of one size, got ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = pixel(a[i]!) - pixel(b[i]!);
    sum += d * d;
  }
  if (Number.isNaN(sum)) return Number.NEGATIVE_INFINITY;
  return 10 * Math.log10(a.length / sum);
}
