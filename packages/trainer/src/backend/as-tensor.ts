import * as tf from '@tensorflow/tfjs-core';

/** A kernel input as a Tensor (the engine's ops pass Tensors; kernels built from ops need them). */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo | undefined): tf.Tensor<R> {
  if (!(info instanceof tf.Tensor)) {
    throw new Error('onnx-ddpm gradient kernels expect Tensor inputs (call them through tf ops, not backend internals)');
  }
  return info as tf.Tensor<R>;
}
