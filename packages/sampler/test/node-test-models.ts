// Small ONNX ε-models for the sampler tests, built with @onnx-ddpm/onnx's GraphBuilder, plus the
// same functions in float64 JS so the tests can run a reference loop from the paper's equations.
import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';

export interface LinearModelSpec {
  /** Item shape without the batch dim: [C, H, W] or [D]. */
  itemShape: number[];
  /** out = a[t]·x + (t/T)·w + table[label]; a has one coefficient per timestep (length T). */
  a: Float32Array;
  /** Per-element weight of t/T (length D). */
  w: Float32Array;
  /** The t scale (use num_train_timesteps). */
  T: number;
  /** Conditional models: rows 0..numClasses (numClasses = "no label"), D values each. */
  classTable?: Float32Array;
  numClasses?: number;
  timestepType?: 'int64' | 'int32' | 'float32';
  timestepRank?: 'per-item' | 'single' | 'scalar';
  labelType?: 'int64' | 'int32';
  /** The output becomes NaN wherever t < nanBelow. */
  nanBelow?: number;
  names?: { sample?: string; timestep?: string; classLabels?: string; output?: string };
  /** Declare C/H/W as symbolic dims. */
  symbolicItemDims?: boolean;
  metadata?: Record<string, string>;
}

export function itemSize(spec: LinearModelSpec): number {
  return spec.itemShape.reduce((a, b) => a * b, 1);
}

/** Builds the ONNX bytes of the linear model described by `spec`. */
export function buildLinearModel(spec: LinearModelSpec): Uint8Array {
  const names = { sample: 'sample', timestep: 'timestep', classLabels: 'class_labels', output: 'out_sample', ...spec.names };
  const g = new GraphBuilder({ name: 'linear_eps' });
  const itemDims = spec.symbolicItemDims ? spec.itemShape.map((_, i) => `d${i}`) : spec.itemShape;
  const x = g.input(names.sample, 'float32', ['N', ...itemDims]);
  const tType = spec.timestepType ?? 'int64';
  const rank = spec.timestepRank ?? 'per-item';
  const t = g.input(names.timestep, tType, rank === 'scalar' ? [] : rank === 'single' ? [1] : ['N']);
  const labels = spec.classTable ? g.input(names.classLabels, spec.labelType ?? 'int64', ['N']) : null;

  const tIndex = tType === 'float32' ? g.node('Cast', [t], { to: 7 })[0]! : t;
  let coef = g.node('Gather', [g.initializer('a', 'float32', [spec.a.length], spec.a), tIndex], { axis: 0 })[0]!;
  let tf = tType === 'float32' ? t : g.node('Cast', [t], { to: 1 })[0]!;
  if (spec.nanBelow !== undefined) {
    // 0·ln(t − (nanBelow − ½)) is 0 for t ≥ nanBelow and NaN below.
    const [shifted] = g.node('Sub', [tf, g.constFloat('nan_shift', [spec.nanBelow - 0.5], [])]);
    const [log] = g.node('Log', [shifted!]);
    const [zeroed] = g.node('Mul', [log!, g.constFloat('zero', [0], [])]);
    tf = g.node('Add', [tf, zeroed!])[0]!;
  }
  if (rank === 'per-item') {
    const axes = spec.itemShape.map((_, i) => i + 1);
    const axesName = g.constInt64('axes', axes);
    tf = g.node('Unsqueeze', [tf, axesName])[0]!;
    coef = g.node('Unsqueeze', [coef, axesName])[0]!;
  }
  const wScaled = Float32Array.from(spec.w, (v) => v / spec.T);
  const [tw] = g.node('Mul', [tf, g.initializer('w', 'float32', [1, ...spec.itemShape], wScaled)]);
  const [ax] = g.node('Mul', [x, coef]);
  if (labels && spec.classTable) {
    const [sum] = g.node('Add', [ax!, tw!]);
    const d = itemSize(spec);
    const table = g.initializer('class_table', 'float32', [spec.classTable.length / d, d], spec.classTable);
    const [emb] = g.node('Gather', [table, labels], { axis: 0 });
    const [embShaped] = g.node('Reshape', [emb!, g.constInt64('item_shape', [-1, ...spec.itemShape])]);
    g.node('Add', [sum!, embShaped!], {}, { outputs: [names.output] });
  } else {
    g.node('Add', [ax!, tw!], {}, { outputs: [names.output] });
  }
  g.output(names.output, 'float32', ['N', ...itemDims]);
  return encodeModel(g.build({ metadata: spec.metadata }));
}

/** The model's function in float64: out = a[t]·x + (t/T)·w + table[label], for a batch sharing t. */
export function linearModelReference(
  spec: LinearModelSpec,
  x: Float64Array,
  t: number,
  labels: ArrayLike<number> | null,
  out: Float64Array,
): void {
  const d = itemSize(spec);
  for (let i = 0; i < x.length; i++) {
    const j = i % d;
    let v = spec.a[t]! * x[i]! + (t / spec.T) * spec.w[j]!;
    if (labels && spec.classTable) v += spec.classTable[labels[Math.floor(i / d)]! * d + j]!;
    out[i] = v;
  }
}

/** A deterministic pseudo-random Float32Array in [lo, hi) (tests only). */
export function testValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

/**
 * a[t] of the exact ε-predictor for data ~ N(0, σ²): ε̂(x_t) = √(1−ᾱ_t) x_t / (ᾱ_t σ² + 1 − ᾱ_t),
 * so trajectories stay well-conditioned (ᾱ from linear β in float64).
 */
export function gaussianDataCoefficients(T: number, betaStart: number, betaEnd: number, sigma: number): Float32Array {
  const out = new Float32Array(T);
  let alphaBar = 1;
  for (let t = 0; t < T; t++) {
    alphaBar *= 1 - (betaStart + ((betaEnd - betaStart) * t) / (T - 1));
    out[t] = Math.sqrt(1 - alphaBar) / (alphaBar * sigma * sigma + 1 - alphaBar);
  }
  return out;
}
