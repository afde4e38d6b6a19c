import type * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './as-tensor.js';
import type { WasmBackendMemory } from './wasm-heap.js';

/**
 * Kernel config factory of a convolution gradient `kernelName` for `backendName`, whose two 4-D inputs
 * are named `inputNames` (passed on in that order): on wasm with float32 inputs `bySimdRows` (null where
 * its SIMD rows do not apply), else `viaConv` (built on the backend's forward Conv2D).
 */
export function convGradKernel<A>(
  kernelName: string,
  backendName: string,
  inputNames: [string, string],
  bySimdRows: (first: tf.Tensor4D, second: tf.Tensor4D, attrs: A, memory: WasmBackendMemory) => tf.Tensor4D | null,
  viaConv: (first: tf.Tensor4D, second: tf.Tensor4D, attrs: A) => tf.Tensor4D,
): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const a = attrs as unknown as A;
      const first = asTensor<tf.Rank.R4>(inputs[inputNames[0]]);
      const second = asTensor<tf.Rank.R4>(inputs[inputNames[1]]);
      if (backendName === 'wasm' && first.dtype === 'float32' && second.dtype === 'float32') {
        const out = bySimdRows(first, second, a, backend as unknown as WasmBackendMemory);
        if (out != null) return out;
      }
      return viaConv(first, second, a);
    },
  };
}
