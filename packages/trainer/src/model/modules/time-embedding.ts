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
    const sinusoid = tf.concat([tf.sin(angles), tf.cos(angles)], 1) as tf.Tensor2D;
    return this.dense2.apply(swish(this.dense1.apply(sinusoid)));
  }

  /** timestep: int64 [N] → float32 [N, outDim]. The frequency table is an initializer. */
  emit(e: OnnxEmitter, timestep: string): string {
    const freqs = e.weight(`${this.prefix}frequencies`, [1, this.frequencies.length], this.frequencies);
    const t = e.op('Unsqueeze', [e.op('Cast', [timestep], { to: 1 /* FLOAT */ }), e.ints([1])]);
    const angles = e.op('Mul', [t, freqs]);
    const sinusoid = e.op('Concat', [e.op('Sin', [angles]), e.op('Cos', [angles])], { axis: 1 });
    return this.dense2.emit(e, emitSwish(e, this.dense1.emit(e, sinusoid)));
  }
}
