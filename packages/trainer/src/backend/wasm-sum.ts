import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './as-tensor.js';

/**
 * Sum over leading axes (bias gradients: [N,H,W,C] → [C]) as ones[1,R] · x[R,C] on XNNPACK. The stock
 * wasm kernel transposes the reduced axes innermost first, a full copy, then reduces.
 */
export function leadingAxesSumKernel(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const x = args.inputs['x']!;
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
      if (!leading || x.dtype !== 'float32') return stock.kernelFunc(args);
      const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
      const rest = x.shape.slice(axes.length);
      return tf.tidy(() => {
        const flat = tf.reshape(asTensor(x), [rows, tf.util.sizeFromShape(rest)]) as tf.Tensor2D;
        const summed = tf.matMul(tf.ones([1, rows]), flat);
        return tf.reshape(summed, keepDims ? [...axes.map(() => 1), ...rest] : rest);
      });
    },
  };
}
