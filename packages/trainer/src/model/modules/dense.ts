import * as tf from '@tensorflow/tfjs-core';
import type { OnnxEmitter } from '../emitter.js';
import type { ParamScope } from '../params.js';

/** Fully connected layer y = x·W + b, W stored [in, out]. */
export class Dense {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    scope: ParamScope,
    readonly inFeatures: number,
    readonly outFeatures: number,
  ) {
    const init = { kind: 'uniform', fanIn: inFeatures } as const;
    this.kernel = scope.create('kernel', [inFeatures, outFeatures], init);
    this.bias = scope.create('bias', [outFeatures], init);
  }

  /** x: [N, in] → [N, out]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.kernel as tf.Tensor2D), this.bias);
  }

  /** x: [..., in] of any rank ≥ 2, flattened to 2-D for the product (no 3-D×2-D matMul). */
  applyTokens(x: tf.Tensor): tf.Tensor {
    const lead = x.shape.slice(0, -1);
    const flat = tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D;
    return tf.reshape(this.apply(flat), [...lead, this.outFeatures]);
  }

  /** Emits Gemm for a 2-D input [N, in]; `outputName` names its output. */
  emit(e: OnnxEmitter, input: string, outputName?: string): string {
    return e.op('Gemm', [input, e.param(this.kernel), e.param(this.bias)], {}, outputName);
  }

  /** Emits MatMul → Add for an input of rank ≥ 3 [..., in]. */
  emitTokens(e: OnnxEmitter, input: string): string {
    return e.op('Add', [e.op('MatMul', [input, e.param(this.kernel)]), e.param(this.bias)]);
  }
}
