import * as tf from '@tensorflow/tfjs-core';
import type { OnnxEmitter } from '../emitter.js';
import type { ParamScope } from '../params.js';
import { Dense } from './dense.js';
import { emitSwish, swish } from './swish.js';

/**
 * Frequencies of the sinusoidal timestep embedding (Vaswani et al. 2017 §3.5, as in labml's
 * DDPM): f_i = exp(−ln(10000)·i/(half−1)), i = 0..half−1; computed in float64, stored float32.
 */
export function sinusoidFrequencies(dim: number): Float32Array {
  const half = dim / 2;
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) out[i] = Math.exp((-Math.log(10000) * i) / (half - 1));
  return out;
}

/**
 * 2π = C1 + C2 with C1 = 3217/512 (12 significant bits, so k·C1 is exact in float32 for |k| < 2^11) and C2
 * the float32 remainder (Cody & Waite 1980 range reduction).
 */
const TWO_PI_HI = 3217 / 512;
const TWO_PI_LO = 2 * Math.PI - TWO_PI_HI;

/** x − 2π·round(x / 2π) in float32 to within an ulp of π, for |x| < 2^11·2π. */
function reduceAngle(x: tf.Tensor2D): tf.Tensor2D {
  const k = tf.round(tf.mul(x, 1 / (2 * Math.PI)));
  return tf.sub(tf.sub(x, tf.mul(k, TWO_PI_HI)), tf.mul(k, TWO_PI_LO));
}

/** Taylor coefficients (−1)^k / (2k + 1)! and (−1)^k / (2k)!: on [−π, π] the first omitted terms are < 3e-8. */
const SIN_TAYLOR = Array.from({ length: 9 }, (_, k) => (-1) ** k / factorial(2 * k + 1));
const COS_TAYLOR = Array.from({ length: 10 }, (_, k) => (-1) ** k / factorial(2 * k));

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** Σ c_k · (r²)^k by Horner's rule. */
function evenSeries(r2: tf.Tensor2D, coefficients: number[]): tf.Tensor2D {
  let acc: tf.Tensor2D = tf.fill(r2.shape, coefficients[coefficients.length - 1]!) as tf.Tensor2D;
  for (let k = coefficients.length - 2; k >= 0; k--) acc = tf.add(tf.mul(acc, r2), coefficients[k]!);
  return acc;
}

/**
 * [sin x, cos x] from float32 arithmetic alone. WebGPU's sin and cos need only be within 2^-11 of the truth
 * (SwiftShader's sin(868.5) is 2e-4 off), which would make the same step's gradients differ across backends by
 * more than 1e-4; range reduction and Taylor series agree with a CPU's sin and cos to ~1e-6 on every backend.
 */
export function sinCos(x: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D] {
  const r = reduceAngle(x);
  const r2 = tf.square(r);
  return [tf.mul(r, evenSeries(r2, SIN_TAYLOR)), evenSeries(r2, COS_TAYLOR)];
}

/**
 * Timestep embedding: [sin(t·f), cos(t·f)] (width sinusoidDim) → Dense → Swish → Dense (width outDim).
 */
export class TimeEmbedding {
  readonly dense1: Dense;
  readonly dense2: Dense;
  private readonly frequencies: Float32Array;
  private readonly prefix: string;

  constructor(
    scope: ParamScope,
    readonly sinusoidDim: number,
    readonly outDim: number,
  ) {
    this.frequencies = sinusoidFrequencies(sinusoidDim);
    this.prefix = scope.prefix;
    this.dense1 = new Dense(scope.child('dense1'), sinusoidDim, outDim);
    this.dense2 = new Dense(scope.child('dense2'), outDim, outDim);
  }

  /** t: int32 [N] → [N, outDim]. */
  apply(t: tf.Tensor1D): tf.Tensor2D {
    const n = t.shape[0];
    const angles = tf.mul(tf.reshape(tf.cast(t, 'float32'), [n, 1]), tf.tensor2d(this.frequencies, [1, this.frequencies.length]));
    const sinusoid = tf.concat(sinCos(angles as tf.Tensor2D), 1) as tf.Tensor2D;
    return this.dense2.apply(swish(this.dense1.apply(sinusoid)));
  }

  /**
   * timestep: int64 [N] → float32 [N, outDim]. The frequency table is an initializer. Sin and Cos of the
   * unreduced angles: ONNX Runtime's CPU kernels are accurate over the whole range.
   */
  emit(e: OnnxEmitter, timestep: string): string {
    const freqs = e.weight(`${this.prefix}frequencies`, [1, this.frequencies.length], this.frequencies);
    const t = e.op('Unsqueeze', [e.op('Cast', [timestep], { to: 1 /* FLOAT */ }), e.ints([1])]);
    const angles = e.op('Mul', [t, freqs]);
    const sinusoid = e.op('Concat', [e.op('Sin', [angles]), e.op('Cos', [angles])], { axis: 1 });
    return this.dense2.emit(e, emitSwish(e, this.dense1.emit(e, sinusoid)));
  }
}
