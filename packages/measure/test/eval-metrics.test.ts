import { SeededRandom } from '@onnx-ddpm/trainer/node';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import type { FeatureMatrix } from '../src/eval/feature-matrix.js';
import { frechetDistance, gaussianStats, symmetricSqrt } from '../src/eval/fid.js';
import { classAccuracy } from '../src/eval/image-quality.js';
import { kernelInceptionDistance, unbiasedMmd2 } from '../src/eval/kid.js';
import { slicedWasserstein } from '../src/eval/sliced-wasserstein.js';

/** `rows` draws from N(mean, L·Lᵀ) (L lower-triangular), seeded. */
function gaussianCloud(rows: number, mean: number[], chol: number[][], seed: number): FeatureMatrix {
  const rng = new SeededRandom(seed);
  const d = mean.length;
  const data = new Float32Array(rows * d);
  const z = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    for (let j = 0; j < d; j++) {
      let v = mean[j]!;
      for (let k = 0; k <= j; k++) v += chol[j]![k]! * z[k]!;
      data[i * d + j] = v;
    }
  }
  return { data, rows, cols: d };
}

const m1 = [1, -2, 0.5];
const m2 = [0, 1, 2];
const cov1 = [
  [2, 0.3, 0.1],
  [0.3, 1, -0.2],
  [0.1, -0.2, 0.5],
];
const cov2 = [
  [1, -0.4, 0],
  [-0.4, 3, 0.6],
  [0, 0.6, 0.8],
];
/** scipy: ‖m1−m2‖² + Tr(Σ1 + Σ2 − 2·sqrtm(Σ1Σ2)) for the pair above. */
const SCIPY_FID = 13.3774195485435;

describe('FID', () => {
  it('matches scipy.linalg.sqrtm on known means and covariances, and an independent non-symmetric eigen-solve', () => {
    const a = { mean: m1, cov: new Matrix(cov1), count: 0 };
    const b = { mean: m2, cov: new Matrix(cov2), count: 0 };
    expect(frechetDistance(a, b)).toBeCloseTo(SCIPY_FID, 10);
    // Tr((Σ1Σ2)^½) = Σ √λᵢ(Σ1Σ2): the eigenvalues of the non-symmetric product are real and ≥ 0.
    const lambdas = new EigenvalueDecomposition(new Matrix(cov1).mmul(new Matrix(cov2))).realEigenvalues;
    const closed = 12.25 + 3.5 + 4.8 - 2 * lambdas.reduce((s, l) => s + Math.sqrt(l), 0);
    expect(frechetDistance(a, b)).toBeCloseTo(closed, 10);
    expect(frechetDistance(a, a)).toBeCloseTo(0, 10);
  });

  it('symmetricSqrt squares back to the matrix', () => {
    const s = symmetricSqrt(new Matrix(cov2));
    const back = s.mmul(s);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(back.get(i, j)).toBeCloseTo(cov2[i]![j]!, 12);
  });

  it('of identical sets is 0; of samples of two Gaussians approaches the closed form', () => {
    const x = gaussianCloud(2000, m1, [[1.4], [0.2, 1], [0.1, -0.2, 0.6]], 1);
    expect(Math.abs(frechetDistance(gaussianStats(x), gaussianStats(x)))).toBeLessThan(1e-9);
    // Σ = L·Lᵀ for L lower-triangular: compare the estimate with the exact distance of the two true Gaussians.
    const l1 = [[1.4], [0.2, 1], [0.1, -0.2, 0.6]];
    const l2 = [[1], [-0.4, 1.6], [0, 0.3, 0.8]];
    const cov = (l: number[][]) =>
      new Matrix(l.map((_, i) => l.map((__, j) => l[i]!.reduce((s, v, k) => s + v * (l[j]![k] ?? 0), 0))));
    const exact = frechetDistance({ mean: m1, cov: cov(l1), count: 0 }, { mean: m2, cov: cov(l2), count: 0 });
    const a = gaussianCloud(20000, m1, l1, 2);
    const b = gaussianCloud(20000, m2, l2, 3);
    expect(frechetDistance(gaussianStats(a), gaussianStats(b))).toBeCloseTo(exact, 1);
  });

  it('needs two vectors per set', () => {
    expect(() => gaussianStats({ data: new Float32Array(3), rows: 1, cols: 3 })).toThrow(/at least 2/);
  });
});

/** MMD² written out with explicit loops over pairs (independent of ml-matrix); `biased` keeps the i = j terms (V-statistic). */
function bruteMmd2(x: number[][], y: number[][], biased = false): number {
  const d = x[0]!.length;
  const k = (a: number[], b: number[]) => (a.reduce((s, v, i) => s + v * b[i]!, 0) / d + 1) ** 3;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < x.length; j++) if (biased || i !== j) xx += k(x[i]!, x[j]!);
  for (let i = 0; i < y.length; i++) for (let j = 0; j < y.length; j++) if (biased || i !== j) yy += k(y[i]!, y[j]!);
  for (const a of x) for (const b of y) xy += k(a, b);
  const m = x.length;
  const n = y.length;
  return biased ? xx / (m * m) + yy / (n * n) - (2 * xy) / (m * n) : xx / (m * (m - 1)) + yy / (n * (n - 1)) - (2 * xy) / (m * n);
}

function rowsOf(f: FeatureMatrix): number[][] {
  return Array.from({ length: f.rows }, (_, i) => Array.from(f.data.subarray(i * f.cols, (i + 1) * f.cols)));
}

describe('KID', () => {
  it('matches a pair-by-pair computation of the unbiased MMD² with the cubic kernel', () => {
    const x = gaussianCloud(7, [0, 0, 0, 0], [[1], [0, 1], [0, 0, 1], [0, 0, 0, 1]], 4);
    const y = gaussianCloud(9, [0.5, 0, 0, 0], [[1], [0, 1], [0, 0, 1], [0, 0, 0, 1]], 5);
    expect(unbiasedMmd2(new Matrix(rowsOf(x)), new Matrix(rowsOf(y)))).toBeCloseTo(bruteMmd2(rowsOf(x), rowsOf(y)), 10);
    const x7 = { ...y, data: y.data.subarray(0, 7 * 4), rows: 7 };
    const whole = kernelInceptionDistance(x, x7, { subsetSize: 100 });
    expect(whole.subsets).toBe(1); // subsets as large as both sets would be the whole sets every time
    expect(whole.subsetSize).toBe(7);
    expect(whole.mean).toBeCloseTo(bruteMmd2(rowsOf(x), rowsOf(x7)), 10);
  });

  it('is unbiased: averaged over many small same-distribution pairs it is ≈ 0, unlike the biased estimate', () => {
    const eye = [[1], [0, 1], [0, 0, 1]];
    const estimates: number[] = [];
    const biased: number[] = [];
    for (let r = 0; r < 300; r++) {
      const x = rowsOf(gaussianCloud(10, [0, 0, 0], eye, 100 + 2 * r));
      const y = rowsOf(gaussianCloud(10, [0, 0, 0], eye, 101 + 2 * r));
      estimates.push(unbiasedMmd2(new Matrix(x), new Matrix(y)));
      biased.push(bruteMmd2(x, y, true));
    }
    const mean = estimates.reduce((s, v) => s + v, 0) / estimates.length;
    const sd = Math.sqrt(estimates.reduce((s, v) => s + (v - mean) ** 2, 0) / (estimates.length - 1));
    expect(Math.abs(mean)).toBeLessThan((3 * sd) / Math.sqrt(estimates.length));
    expect(biased.reduce((s, v) => s + v, 0) / biased.length).toBeGreaterThan(mean + 5 * (sd / Math.sqrt(estimates.length)));
  });

  it('grows with a shift and averages seeded subsets with a spread', () => {
    const eye = [[1], [0, 1], [0, 0, 1]];
    const x = gaussianCloud(400, [0, 0, 0], eye, 7);
    const same = gaussianCloud(400, [0, 0, 0], eye, 8);
    const shifted = gaussianCloud(400, [1, 0, 0], eye, 9);
    const near = kernelInceptionDistance(x, same, { subsets: 20, subsetSize: 100, seed: 1 });
    const far = kernelInceptionDistance(x, shifted, { subsets: 20, subsetSize: 100, seed: 1 });
    expect(far.mean).toBeGreaterThan(near.mean + 5 * near.std);
    expect(near.std).toBeGreaterThan(0);
    expect(kernelInceptionDistance(x, shifted, { subsets: 20, subsetSize: 100, seed: 1 })).toEqual(far);
  });
});

describe('sliced Wasserstein distance', () => {
  const cloud = gaussianCloud(500, [0, 0], [[1], [0.5, 0.8]], 11);
  const shift = (f: FeatureMatrix, v: number[]): FeatureMatrix => ({
    ...f,
    data: f.data.map((x, i) => x + v[i % f.cols]!),
  });

  it('is 0 between a cloud and itself', () => {
    expect(slicedWasserstein(cloud, cloud)).toBe(0);
  });

  it('of a cloud and its shift by v is |v|/√d in 2-D (E[(θ·v)²] = |v|²/d) and exactly |v| in 1-D', () => {
    const v = [0.6, -0.8];
    // Monte-Carlo over 4000 directions: the relative standard error of SW₂ is ≈ 0.6%.
    expect(Math.abs(slicedWasserstein(cloud, shift(cloud, v), { projections: 4000 }) * Math.SQRT2 - 1)).toBeLessThan(0.025);
    const line: FeatureMatrix = { data: cloud.data.filter((_, i) => i % 2 === 0), rows: 500, cols: 1 };
    expect(slicedWasserstein(line, shift(line, [0.25]), { projections: 3 })).toBeCloseTo(0.25, 5);
  });

  it('rejects clouds of different sizes or dimensions', () => {
    expect(() => slicedWasserstein(cloud, { data: new Float32Array(4), rows: 2, cols: 2 })).toThrow(/equal size/);
    expect(() => slicedWasserstein(cloud, { data: new Float32Array(1500), rows: 500, cols: 3 })).toThrow(/dimensions/);
  });
});

describe('class accuracy', () => {
  it('is per label, null for a label no item has, and sized by the largest label when it exceeds the classifier', () => {
    const labels = Int32Array.from([0, 0, 1, 11]);
    const predictions = Int32Array.from([0, 1, 1, 3]);
    const perLabel = classAccuracy(predictions, labels, 10);
    expect(perLabel).toHaveLength(12);
    expect(perLabel[0]).toBe(0.5);
    expect(perLabel[1]).toBe(1);
    expect(perLabel.slice(2, 11)).toEqual(new Array(9).fill(null));
    expect(perLabel[11]).toBe(0);
    expect(classAccuracy(predictions.subarray(0, 3), labels.subarray(0, 3), 10)).toHaveLength(10);
  });
});
