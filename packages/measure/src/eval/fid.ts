import { covariance, EigenvalueDecomposition, type Matrix } from 'ml-matrix';
import { type FeatureMatrix, toMatrix } from './feature-matrix.js';

/** The mean and (unbiased, divisor n − 1) covariance of a set of feature vectors. */
export interface GaussianStats {
  mean: number[];
  cov: Matrix;
  count: number;
}

export function gaussianStats(f: FeatureMatrix): GaussianStats {
  if (f.rows < 2) throw new Error(`FID needs at least 2 feature vectors per set, got ${f.rows}`);
  const m = toMatrix(f);
  return { mean: m.mean('column'), cov: covariance(m), count: f.rows };
}

/** Eigen-decomposition of a symmetric matrix (ml-matrix's Jacobi/QL path for symmetric input). */
function symmetricEigen(a: Matrix): EigenvalueDecomposition {
  return new EigenvalueDecomposition(a, { assumeSymmetric: true });
}

/** The PSD square root V·diag(√max(λ, 0))·Vᵀ of a symmetric matrix (round-off negatives clipped to 0). */
export function symmetricSqrt(a: Matrix): Matrix {
  const evd = symmetricEigen(a);
  const v = evd.eigenvectorMatrix;
  const roots = evd.realEigenvalues.map((l) => Math.sqrt(Math.max(l, 0)));
  return v.mmulByTranspose(roots);
}

/**
 * Fréchet distance between the Gaussians fitted to two feature sets (Heusel et al. 2017, eq. 6):
 * d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½), where Tr((Σ₁^½ Σ₂ Σ₁^½)^½) = Σᵢ √λᵢ of that symmetric PSD product.
 */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.mean.length !== b.mean.length) throw new Error(`FID: feature widths differ (${a.mean.length} vs ${b.mean.length})`);
  let meanTerm = 0;
  for (let i = 0; i < a.mean.length; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  const s1 = symmetricSqrt(a.cov);
  const product = s1.mmul(b.cov).mmul(s1);
  // Symmetrise against round-off before the symmetric eigen-solver.
  const sym = product.add(product.transpose()).div(2);
  const traceSqrt = symmetricEigen(sym).realEigenvalues.reduce((sum, l) => sum + Math.sqrt(Math.max(l, 0)), 0);
  return meanTerm + a.cov.trace() + b.cov.trace() - 2 * traceSqrt;
}
