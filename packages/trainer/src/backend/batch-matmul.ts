import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './as-tensor.js';

interface BatchMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * The wasm backend multiplies with XNNPACK only for untransposed operands; with transposeA/B it
 * falls back to a scalar loop that is 10–25× slower. This wraps the stock kernel: transposed operands
 * are transposed explicitly first (a cheap copy), then the fast path runs.
 */
export function transposeFreeBatchMatMulKernel(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
      if (!transposeA && !transposeB) return stock.kernelFunc({ inputs, attrs, backend });
      return tf.tidy(() => {
        const a = asTensor(inputs['a']);
        const b = asTensor(inputs['b']);
        const a2 = transposeA ? swapLastTwo(a) : a;
        const b2 = transposeB ? swapLastTwo(b) : b;
        const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
        const out = stock.kernelFunc({ inputs: { a: a2, b: b2 }, attrs: plainAttrs, backend }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(out);
      });
    },
  };
}

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}
