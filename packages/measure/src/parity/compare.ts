/** max_i |a_i − b_i|; NaN anywhere makes it Infinity (never a pass). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`cannot compare arrays of ${a.length} and ${b.length} values`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return max;
}

/** x ∈ [−1, 1] as a pixel in [0, 1], the way images are written: (x + 1)/2, clipped. */
function pixel(x: number): number {
  return Math.min(1, Math.max(0, (x + 1) / 2));
}

/**
 * Peak signal-to-noise ratio of two images with values in [−1, 1], mapped to [0, 1] pixels:
 * PSNR = 10·log10(1 / MSE) (peak 1). Infinity when they are identical; NaN input gives −Infinity.
 */
export function psnrDb(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`cannot compare arrays of ${a.length} and ${b.length} values`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = pixel(a[i]!) - pixel(b[i]!);
    sum += d * d;
  }
  if (Number.isNaN(sum)) return Number.NEGATIVE_INFINITY;
  return 10 * Math.log10(a.length / sum);
}
