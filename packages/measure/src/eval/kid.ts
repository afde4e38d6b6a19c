import { SeededRandom } from '@onnx-ddpm/trainer/node';
import type { Matrix } from 'ml-matrix';
import { type FeatureMatrix, toMatrix } from './feature-matrix.js';

export interface KidOptions {
  /** Number of random subset pairs averaged (default 100, as in Bińkowski et al. 2018). */
  subsets?: number;
  /** Items per subset, drawn without replacement (default 1000, capped at the smaller set). */
  subsetSize?: number;
  seed?: number;
}

export interface KidResult {
  /** Mean of the unbiased MMD² estimates over the subsets. */
  mean: number;
  /** Their standard deviation (0 when a single subset covers both sets). */
  std: number;
  subsets: number;
  subsetSize: number;
}

/** The cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³ (Bińkowski et al. 2018, §3), applied to a Gram matrix in place. */
function cubicKernel(gram: Matrix, d: number): Matrix {
  for (let i = 0; i < gram.rows; i++) {
    for (let j = 0; j < gram.columns; j++) gram.set(i, j, (gram.get(i, j) / d + 1) ** 3);
  }
  return gram;
}

/**
 * Unbiased MMD² between two samples X (m rows) and Y (n rows) (Gretton et al. 2012, Lemma 6, eq. 3):
 * 1/(m(m−1)) Σ_{i≠j} k(xᵢ,xⱼ) + 1/(n(n−1)) Σ_{i≠j} k(yᵢ,yⱼ) − 2/(mn) Σ_{i,j} k(xᵢ,yⱼ).
 */
export function unbiasedMmd2(x: Matrix, y: Matrix): number {
  const d = x.columns;
  const m = x.rows;
  const n = y.rows;
  if (m < 2 || n < 2) throw new Error(`KID needs at least 2 feature vectors per set, got ${m} and ${n}`);
  const kxx = cubicKernel(x.mmulByTranspose(), d);
  const kyy = cubicKernel(y.mmulByTranspose(), d);
  const kxy = cubicKernel(x.mmul(y.transpose()), d);
  const xx = (kxx.sum() - kxx.trace()) / (m * (m - 1));
  const yy = (kyy.sum() - kyy.trace()) / (n * (n - 1));
  return xx + yy - (2 * kxy.sum()) / (m * n);
}

/**
 * Kernel Inception Distance (Bińkowski et al. 2018): the unbiased MMD² with the cubic polynomial kernel,
 * averaged over `subsets` random pairs of subsets of `subsetSize` items each.
 */
export function kernelInceptionDistance(a: FeatureMatrix, b: FeatureMatrix, opts: KidOptions = {}): KidResult {
  if (a.cols !== b.cols) throw new Error(`KID: feature widths differ (${a.cols} vs ${b.cols})`);
  const subsetSize = Math.min(opts.subsetSize ?? 1000, a.rows, b.rows);
  // A subset as large as both sets is the whole of each: every draw would give the same value.
  const subsets = subsetSize === a.rows && subsetSize === b.rows ? 1 : (opts.subsets ?? 100);
  const rng = new SeededRandom(opts.seed ?? 0);
  const estimates: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const x = toMatrix(a, rng.permutation(a.rows).subarray(0, subsetSize));
    const y = toMatrix(b, rng.permutation(b.rows).subarray(0, subsetSize));
    estimates.push(unbiasedMmd2(x, y));
  }
  const mean = estimates.reduce((s, v) => s + v, 0) / subsets;
  const variance = subsets > 1 ? estimates.reduce((s, v) => s + (v - mean) ** 2, 0) / (subsets - 1) : 0;
  return { mean, std: Math.sqrt(variance), subsets, subsetSize };
}
