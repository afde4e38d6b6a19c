import * as tf from '@tensorflow/tfjs-core';
import { SWISH_GRAD_KERNEL } from './swish-kernels.js';

/** Whether the active backend has our Swish gradient kernel (wasm and cpu after registerTrainingKernels). */
export function fusedSwishAvailable(): boolean {
  return tf.getKernel(SWISH_GRAD_KERNEL, tf.getBackend()) != null;
}

/**
 * Swish / SiLU y = x·σ(x) with the backend's own Sigmoid and Multiply forward and our one-pass
 * gradient kernel backward (TF.js differentiates the composition with 6 kernels).
 */
export function fusedSwish<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const s = tf.sigmoid(xIn);
    save([xIn, s]);
    return {
      value: tf.mul(xIn, s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ss] = saved as [tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(SWISH_GRAD_KERNEL, { dy, x: xs, s: ss }) as tf.Tensor;
      },
    };
  });
  return op(x) as T;
}
