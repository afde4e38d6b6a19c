import * as tf from '@tensorflow/tfjs-core';
import type { OnnxEmitter } from '../emitter.js';
import type { ParamScope } from '../params.js';

/**
 * Class-label embedding with numClasses + 1 rows; row numClasses is "no label" (for
 * classifier-free guidance). Looked up as oneHot(labels)·E in TF.js (tf.gather's gradient
 * needs UnsortedSegmentSum, which the wasm backend lacks) and as Gather in ONNX.
 */
export class LabelEmbedding {
  readonly table: tf.Variable;

  constructor(
    scope: ParamScope,
    readonly numClasses: number,
    readonly dim: number,
  ) {
    this.table = scope.create('table', [numClasses + 1, dim], { kind: 'normal' });
  }

  /** labels: int32 [N] in 0..numClasses → [N, dim]. */
  apply(labels: tf.Tensor1D): tf.Tensor2D {
    const oneHot = tf.cast(tf.oneHot(tf.cast(labels, 'int32'), this.numClasses + 1), 'float32') as tf.Tensor2D;
    return tf.matMul(oneHot, this.table as tf.Tensor2D);
  }

  /** labels: int64 [N] → [N, dim]. */
  emit(e: OnnxEmitter, labels: string): string {
    return e.op('Gather', [e.param(this.table), labels], { axis: 0 });
  }
}
