import * as tf from '@tensorflow/tfjs-core';
import { fusedGroupNorm, fusedGroupNormAvailable } from '../../backend/group-norm-op.js';
import type { OnnxEmitter } from '../emitter.js';
import type { ParamScope } from '../params.js';

/** GroupNorm's ε (PyTorch's default). */
export const GROUP_NORM_EPSILON = 1e-5;

/**
 * Group normalisation (Wu & He 2018) with a per-channel affine γ, β. Exported as
 * Reshape → InstanceNormalization → Reshape → Mul → Add (no GroupNormalization op).
 */
export class GroupNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(
    scope: ParamScope,
    readonly groups: number,
    readonly channels: number,
  ) {
    if (channels % groups !== 0) {
      throw new Error(`GroupNorm ${scope.prefix}: ${channels} channels are not divisible by ${groups} groups`);
    }
    this.gamma = scope.create('gamma', [channels], { kind: 'ones' });
    this.beta = scope.create('beta', [channels], { kind: 'zeros' });
  }

  /** Normalises each (item, group) of NHWC x to zero mean and unit variance, without the affine. */
  normalize(x: tf.Tensor4D): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    const grouped = tf.reshape(x, [n, h * w, this.groups, c / this.groups]);
    const mean = tf.mean(grouped, [1, 3], true);
    const centered = tf.sub(grouped, mean);
    const variance = tf.mean(tf.mul(centered, centered), [1, 3], true);
    const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, GROUP_NORM_EPSILON)));
    return tf.reshape(normalized, x.shape);
  }

  /** x: NHWC [N, H, W, C]. One fused kernel each way where the backend has it (same math). */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    if (fusedGroupNormAvailable()) return fusedGroupNorm(x, this.gamma, this.beta, this.groups, GROUP_NORM_EPSILON);
    return tf.add(tf.mul(this.normalize(x), this.gamma), this.beta);
  }

  /**
   * Emits the normalisation without the affine for NCHW input of spatial size side×side,
   * reshaped to `outShape` (0 = copy N), so a caller can fold γ, β into the next linear map.
   */
  emitNormalize(e: OnnxEmitter, input: string, outShape: number[]): string {
    const grouped = e.op('Reshape', [input, e.ints([0, this.groups, -1])]);
    const scale = e.shared(`instance_norm_scale_${this.groups}`, () =>
      e.weight(`const.instance_norm.scale_${this.groups}`, [this.groups], new Float32Array(this.groups).fill(1)),
    );
    const bias = e.shared(`instance_norm_bias_${this.groups}`, () =>
      e.weight(`const.instance_norm.bias_${this.groups}`, [this.groups], new Float32Array(this.groups)),
    );
    const normalized = e.op('InstanceNormalization', [grouped, scale, bias], { epsilon: GROUP_NORM_EPSILON });
    return e.op('Reshape', [normalized, e.ints(outShape)]);
  }

  /** Emits the full GroupNorm for NCHW input [N, C, side, side]. */
  emit(e: OnnxEmitter, input: string, side: number): string {
    const normalized = this.emitNormalize(e, input, [0, this.channels, side, side]);
    const perChannel = (data: Float32Array) => ({ dims: [this.channels, 1, 1], data });
    return e.op('Add', [e.op('Mul', [normalized, e.param(this.gamma, perChannel)]), e.param(this.beta, perChannel)]);
  }
}
