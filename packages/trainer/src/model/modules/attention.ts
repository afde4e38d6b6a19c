import * as tf from '@tensorflow/tfjs-core';
import { type OnnxEmitter, values } from '../emitter.js';
import type { ParamScope } from '../params.js';
import { Dense } from './dense.js';
import { GroupNorm } from './group-norm.js';

/**
 * Single-head self-attention over the H·W positions with a residual connection:
 * GroupNorm → q, k, v (one dense layer, 3C wide) → softmax(q·kᵀ/√C)·v → dense projection, + x.
 */
export class Attention {
  readonly norm: GroupNorm;
  readonly qkv: Dense;
  readonly proj: Dense;
  private readonly prefix: string;

  constructor(
    scope: ParamScope,
    readonly channels: number,
    groups: number,
  ) {
    this.prefix = scope.prefix;
    this.norm = new GroupNorm(scope.child('norm'), groups, channels);
    this.qkv = new Dense(scope.child('qkv'), channels, 3 * channels);
    this.proj = new Dense(scope.child('proj'), channels, channels);
  }

  /** x: NHWC [N, H, W, C]. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    const tokens = tf.reshape(this.norm.apply(x), [n, h * w, c]);
    const [q, k, v] = tf.split(this.qkv.applyTokens(tokens), 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(c));
    const attended = tf.matMul(tf.softmax(scores), v);
    return tf.add(x, tf.reshape(this.proj.applyTokens(attended), [n, h, w, c]));
  }

  /**
   * NCHW input [N, C, side, side]. GroupNorm's γ, β and the 1/√C scale are folded into the
   * q/k/v weights at export; k is produced already transposed (Wₖᵀ·x̂ on [N, C, HW]) so the
   * graph has one Transpose in and one out.
   */
  emit(e: OnnxEmitter, input: string, side: number): string {
    const c = this.channels;
    const folded = this.foldedProjections();
    const normalized = this.norm.emitNormalize(e, input, [0, c, side * side]);
    const tokens = e.op('Transpose', [normalized], { perm: [0, 2, 1] });
    const qv = e.op('Add', [
      e.op('MatMul', [tokens, e.weight(`${this.prefix}qv.kernel_folded`, [c, 2 * c], folded.qvKernel)]),
      e.weight(`${this.prefix}qv.bias_folded`, [2 * c], folded.qvBias),
    ]);
    const [q, v] = e.split(qv, 2, 2) as [string, string];
    const kT = e.op('Add', [
      e.op('MatMul', [e.weight(`${this.prefix}k.kernel_folded_t`, [c, c], folded.kKernelT), normalized]),
      e.weight(`${this.prefix}k.bias_folded`, [c, 1], folded.kBias),
    ]);
    const weights = e.op('Softmax', [e.op('MatMul', [q, kT])], { axis: -1 });
    const projected = this.proj.emitTokens(e, e.op('MatMul', [weights, v]));
    const back = e.op('Transpose', [projected], { perm: [0, 2, 1] });
    return e.op('Add', [input, e.op('Reshape', [back, e.ints([0, c, side, side])])]);
  }

  /** W' = diag(γ)·W, b' = β·W + b for q, k, v; q additionally × 1/√C. */
  private foldedProjections() {
    const c = this.channels;
    const kernel = values(this.qkv.kernel); // [C, 3C]
    const bias = values(this.qkv.bias);
    const gamma = values(this.norm.gamma);
    const beta = values(this.norm.beta);
    const scale = 1 / Math.sqrt(c);
    const qvKernel = new Float32Array(c * 2 * c);
    const qvBias = new Float32Array(2 * c);
    const kKernelT = new Float32Array(c * c);
    const kBias = new Float32Array(c);
    for (let j = 0; j < 3 * c; j++) {
      let b = bias[j] as number;
      for (let i = 0; i < c; i++) b += (beta[i] as number) * (kernel[i * 3 * c + j] as number);
      const part = Math.floor(j / c);
      const col = j % c;
      for (let i = 0; i < c; i++) {
        const wij = (gamma[i] as number) * (kernel[i * 3 * c + j] as number);
        if (part === 0) qvKernel[i * 2 * c + col] = wij * scale;
        else if (part === 1) kKernelT[col * c + i] = wij;
        else qvKernel[i * 2 * c + c + col] = wij;
      }
      if (part === 0) qvBias[col] = b * scale;
      else if (part === 1) kBias[col] = b;
      else qvBias[c + col] = b;
    }
    return { qvKernel, qvBias, kKernelT, kBias };
  }
}
