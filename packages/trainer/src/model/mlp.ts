import * as tf from '@tensorflow/tfjs-core';
import type { MlpConfig } from './config.js';
import type { OnnxEmitter } from './emitter.js';
import { Dense } from './modules/dense.js';
import { LabelEmbedding } from './modules/label-embedding.js';
import { emitSwish, swish } from './modules/swish.js';
import { TimeEmbedding } from './modules/time-embedding.js';
import type { ParamScope } from './params.js';
import type { GraphIO } from './unet.js';

/**
 * ε-MLP for points in R^dataDim: h = Dense(x) + TimeEmbedding(t) (+ label embedding), then
 * `layers` × (Swish → Dense hidden→hidden), then Swish → Dense hidden→dataDim.
 */
export class Mlp {
  readonly time: TimeEmbedding;
  readonly label: LabelEmbedding | null;
  readonly input: Dense;
  readonly hidden: Dense[] = [];
  readonly output: Dense;

  constructor(
    scope: ParamScope,
    readonly config: MlpConfig,
  ) {
    this.time = new TimeEmbedding(scope.child('time'), config.timeEmbedDim, config.hidden);
    this.label =
      config.numClasses > 0 ? new LabelEmbedding(scope.child('label'), config.numClasses, config.hidden) : null;
    this.input = new Dense(scope.child('input'), config.dataDim, config.hidden);
    for (let i = 0; i < config.layers; i++) {
      this.hidden.push(new Dense(scope.child('hidden').child(i), config.hidden, config.hidden));
    }
    this.output = new Dense(scope.child('output'), config.hidden, config.dataDim);
  }

  /** x: [N, dataDim]; t: int32 [N]; labels: int32 [N] or null. */
  apply(x: tf.Tensor2D, t: tf.Tensor1D, labels: tf.Tensor1D | null): tf.Tensor2D {
    let h: tf.Tensor2D = tf.add(this.input.apply(x), this.time.apply(t));
    if (this.label && labels) h = tf.add(h, this.label.apply(labels));
    for (const layer of this.hidden) h = layer.apply(swish(h));
    return this.output.apply(swish(h));
  }

  /** Forward FLOPs per item (2 × multiply-adds of the dense layers). */
  forwardFlops(): number {
    const dense = [this.time.dense1, this.time.dense2, this.input, ...this.hidden, this.output];
    return 2 * dense.reduce((sum, d) => sum + d.inFeatures * d.outFeatures, 0);
  }

  /** Emits the network on `sample` [N, dataDim]. */
  emit(e: OnnxEmitter, io: GraphIO): string {
    let h = e.op('Add', [this.input.emit(e, io.sample), this.time.emit(e, io.timestep)]);
    if (this.label && io.classLabels) h = e.op('Add', [h, this.label.emit(e, io.classLabels)]);
    for (const layer of this.hidden) h = layer.emit(e, emitSwish(e, h));
    return this.output.emit(e, emitSwish(e, h), io.outSample);
  }
}
