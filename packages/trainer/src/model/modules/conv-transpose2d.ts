import * as tf from '@tensorflow/tfjs-core';
import { type OnnxEmitter, transposeArray } from '../emitter.js';
import type { ParamScope } from '../params.js';

/**
 * 4×4 stride-2 transposed convolution with padding 1 (PyTorch ConvTranspose2d(c, c, 4, 2, 1)):
 * output exactly 2× the input size. Kernel stored as TF.js conv2dTranspose's [4, 4, out, in];
 * exported as ONNX ConvTranspose's [in, out, 4, 4].
 */
export class ConvTranspose2d {
  static readonly KERNEL = 4;
  static readonly STRIDE = 2;
  static readonly PADDING = 1;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;

  constructor(
    scope: ParamScope,
    readonly inChannels: number,
    readonly outChannels: number,
  ) {
    const k = ConvTranspose2d.KERNEL;
    // PyTorch computes this layer's fan-in from its weight's dim 1 (= out channels) × k × k.
    const init = { kind: 'uniform', fanIn: outChannels * k * k } as const;
    this.kernel = scope.create('kernel', [k, k, outChannels, inChannels], init);
    this.bias = scope.create('bias', [outChannels], init);
  }

  /** x: NHWC [N, H, W, in] → [N, 2H, 2W, out]. */
  apply(x: tf.Tensor4D): tf.Tensor4D {
    const [n, h, w] = x.shape;
    const y = tf.conv2dTranspose(
      x,
      this.kernel as tf.Tensor4D,
      [n, 2 * h, 2 * w, this.outChannels],
      ConvTranspose2d.STRIDE,
      ConvTranspose2d.PADDING,
    );
    return tf.add(y, this.bias);
  }

  /** Emits one ConvTranspose (NCHW). */
  emit(e: OnnxEmitter, input: string): string {
    const k = ConvTranspose2d.KERNEL;
    const p = ConvTranspose2d.PADDING;
    const w = e.param(this.kernel, (data) => ({
      dims: [this.inChannels, this.outChannels, k, k],
      data: transposeArray(data, [k, k, this.outChannels, this.inChannels], [3, 2, 0, 1]),
    }));
    return e.op('ConvTranspose', [input, w, e.param(this.bias)], {
      kernel_shape: [k, k],
      pads: [p, p, p, p],
      strides: [ConvTranspose2d.STRIDE, ConvTranspose2d.STRIDE],
    });
  }
}
