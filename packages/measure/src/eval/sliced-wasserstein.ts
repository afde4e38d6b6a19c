import { SeededRandom } from '@onnx-ddpm/trainer/node';
import type { FeatureMatrix } from './feature-matrix.js';

export interface SlicedWassersteinOptions {
  /** Random directions θ on the unit sphere (default 1000). */
  projections?: number;
  seed?: number;
}

/** Projections of every row onto θ, sorted ascending. */
function sortedProjection(points: FeatureMatrix, theta: Float64Array): Float64Array {
  const out = new Float64Array(points.rows);
  for (let i = 0; i < points.rows; i++) {
    let dot = 0;
    for (let j = 0; j < points.cols; j++) dot += points.data[i * points.cols + j]! * theta[j]!;
    out[i] = dot;
  }
  return out.sort();
}

/**
 * Sliced Wasserstein-2 distance between two equal-size point clouds (Bonneel et al. 2015, eq. 1):
 * SW₂² = E_θ[W₂²(θᵀX, θᵀY)], θ uniform on the unit sphere; between equal-size empirical 1-D measures
 * W₂² = (1/n) Σᵢ (x₍ᵢ₎ − y₍ᵢ₎)² over the sorted projections. The expectation is a Monte-Carlo mean over seeded directions.
 */
export function slicedWasserstein(a: FeatureMatrix, b: FeatureMatrix, opts: SlicedWassersteinOptions = {}): number {
  if (a.cols !== b.cols) throw new Error(`sliced Wasserstein: dimensions differ (${a.cols} vs ${b.cols})`);
  if (a.rows !== b.rows || a.rows === 0) {
    throw new Error(`sliced Wasserstein: needs two non-empty clouds of equal size, got ${a.rows} and ${b.rows} points`);
  }
  const projections = opts.projections ?? 1000;
  const rng = new SeededRandom(opts.seed ?? 0);
  const theta = new Float64Array(a.cols);
  let total = 0;
  for (let p = 0; p < projections; p++) {
    // A normalised standard normal vector is uniform on the sphere.
    let norm = 0;
    for (let j = 0; j < theta.length; j++) {
      theta[j] = rng.normal();
      norm += theta[j]! ** 2;
    }
    for (let j = 0; j < theta.length; j++) theta[j] = theta[j]! / Math.sqrt(norm);
    const x = sortedProjection(a, theta);
    const y = sortedProjection(b, theta);
    let w2 = 0;
    for (let i = 0; i < x.length; i++) w2 += (x[i]! - y[i]!) ** 2;
    total += w2 / x.length;
  }
  return Math.sqrt(total / projections);
}
