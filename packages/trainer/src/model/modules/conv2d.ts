import * as tf from '@tensorflow/tfjs-core';
import { type OnnxEmitter, transposeArray } from '../emitter.js';
import type { ParamScope } from '../params.js';

/**
 * k×k convolution with explicit symmetric padding (k−1)/2 — for stride 2 that is padding 1 on
 * every side as in PyTorch and ONNX pads [1,1,1,1], not TF's asymmetric 'same'.
 * Kernel stored HWIO [k, k, in, out] for TF.js (NHWC); exported OIHW for the NCHW graph.
 */
export class Conv2d {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
  readonly padding: number;

  constructor(
    scope: ParamScope,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly stride = 1,
  ) {
    const init = { kind: 'uniform', fanIn: inChannels * kernelSize * kernelSize } as const;
    this.kernel = scope.create('kernel', [kernelSize, kernelSize, inChannels, outChannels], init);
    this.bias = scope.create('bias', [outChannels], init);
    this.padding = (kernelSize - 1) / 2;
  }

  /** x: NHWC [N, H, W, in] → [N, ⌊(H+2p−k)/s⌋+1, …, out]. The bias is added inside the convolution kernel. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.fused.conv2d({ x, filter: this.kernel as tf.Tensor4D, strides: this.stride, pad: this.padding, bias: this.bias });
  }

  /** Emits one Conv (NCHW) with OIHW weights; `outputName` names its output. */
  emit(e: OnnxEmitter, input: string, outputName?: string): string {
    const k = this.kernelSize;
    const p = this.padding;
    const w = e.param(this.kernel, (data) => ({
      dims: [this.outChannels, this.inChannels, k, k],
      data: transposeArray(data, [k, k, this.inChannels, this.outChannels], [3, 2, 0, 1]),
    }));
    return e.op(
      'Conv',
      [input, w, e.param(this.bias)],
      {
        kernel_shape: [k, k],
        pads: [p, p, p, p],
        strides: [this.stride, this.stride],
      },
      outputName,
    );
  }
}
