import * as tf from '@tensorflow/tfjs-core';
import type { OnnxEmitter } from '../model/emitter.js';
import { Conv2d } from '../model/modules/conv2d.js';
import { Dense } from '../model/modules/dense.js';
import { ParamScope, ParamStore } from '../model/params.js';

/** A small image classifier: stride-2 3×3 convs with ReLU, then one hidden dense layer (the features), then logits. */
export interface ClassifierConfig {
  imageSize: number;
  channels: number;
  numClasses: number;
  /** Output channels of each stride-2 convolution. */
  convChannels: number[];
  /** Width of the penultimate layer, whose activations are the FID/KID features. */
  hidden: number;
}

/** ≈ 81k parameters for 28×28×1 inputs: 28 → 14 → 7 → 4, then 512 → 128 → 10. */
export function defaultClassifierConfig(imageSize = 28, channels = 1, numClasses = 10): ClassifierConfig {
  return { imageSize, channels, numClasses, convChannels: [16, 32, 32], hidden: 128 };
}

/** Spatial size after the stride-2 convolutions (padding 1, kernel 3): ⌊(s − 1)/2⌋ + 1 each. */
function finalSize(config: ClassifierConfig): number {
  return config.convChannels.reduce((s) => Math.floor((s - 1) / 2) + 1, config.imageSize);
}

/** The classifier's two outputs for a batch. */
export type ClassifierOutputs = {
  /** Penultimate activations [N, hidden] (after ReLU). */
  features: tf.Tensor2D;
  /** Unnormalised class scores [N, numClasses]. */
  logits: tf.Tensor2D;
};

/**
 * Built from the same modules as the ε-networks (Conv2d, Dense), so the TF.js forward pass (NHWC)
 * and the ONNX graph (NCHW) come from one set of weights named 'conv.<i>.kernel', 'hidden.kernel', 'logits.kernel'.
 */
export class ImageClassifier {
  readonly params: tf.Variable[];
  readonly paramNames: readonly string[];
  readonly convs: Conv2d[] = [];
  readonly hidden: Dense;
  readonly logits: Dense;
  private readonly flatFeatures: number;

  constructor(
    readonly config: ClassifierConfig,
    seed: number,
  ) {
    if (config.convChannels.length === 0 || ![config.imageSize, config.channels, config.numClasses, config.hidden, ...config.convChannels].every((v) => Number.isInteger(v) && v > 0)) {
      throw new Error(`classifier config: sizes must be positive integers and convChannels non-empty, got ${JSON.stringify(config)}`);
    }
    const store = new ParamStore(seed);
    const scope = new ParamScope(store, '');
    let inChannels = config.channels;
    config.convChannels.forEach((outChannels, i) => {
      this.convs.push(new Conv2d(scope.child('conv').child(i), inChannels, outChannels, 3, 2));
      inChannels = outChannels;
    });
    const s = finalSize(config);
    this.flatFeatures = s * s * inChannels;
    this.hidden = new Dense(scope.child('hidden'), this.flatFeatures, config.hidden);
    this.logits = new Dense(scope.child('logits'), config.hidden, config.numClasses);
    this.params = store.params;
    this.paramNames = store.names;
  }

  /** x: NHWC [N, H, W, C] in [−1, 1]. */
  apply(x: tf.Tensor4D): ClassifierOutputs {
    return tf.tidy(() => {
      let h = x;
      for (const conv of this.convs) h = tf.relu(conv.apply(h));
      // NHWC flatten order (h, w, c); the ONNX graph transposes to NHWC before its Flatten to match.
      const flat = tf.reshape(h, [-1, this.flatFeatures]) as tf.Tensor2D;
      const features = tf.relu(this.hidden.apply(flat));
      return { features, logits: this.logits.apply(features) };
    });
  }

  /** Emits the network on NCHW `input`; its outputs are named `names.features` and `names.logits`. */
  emit(e: OnnxEmitter, input: string, names: { features: string; logits: string }): void {
    let h = input;
    for (const conv of this.convs) h = e.op('Relu', [conv.emit(e, h)]);
    const nhwc = e.op('Transpose', [h], { perm: [0, 2, 3, 1] });
    const flat = e.op('Flatten', [nhwc], { axis: 1 });
    const features = e.op('Relu', [this.hidden.emit(e, flat)], {}, names.features);
    this.logits.emit(e, features, names.logits);
  }

  parameterCount(): number {
    return this.params.reduce((sum, v) => sum + v.size, 0);
  }

  dispose(): void {
    for (const v of this.params) v.dispose();
  }
}
