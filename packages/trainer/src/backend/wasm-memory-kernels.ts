import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendMemory } from './wasm-heap.js';

function sharedOutput(x: tf.TensorInfo, backend: WasmBackendMemory): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Identity that shares the input's buffer (tensors are immutable), like the cpu backend. The stock
 * wasm kernel copies; the engine clones every tensor it saves for the backward pass, which made
 * ~1.5 GB of copies per U-Net training step at batch 32.
 */
export const wasmSharedIdentityKernel: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const x = inputs['x']!;
    if (x.dtype === 'string') throw new Error('Identity: string tensors are not supported on wasm');
    return sharedOutput(x, backend as unknown as WasmBackendMemory);
  },
};

/** Cast that shares the buffer when the dtype does not change (gradients cast float32 → float32 often). */
export function wasmSharedCastKernel(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const x = args.inputs['x']!;
      const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
      if (x.dtype === dtype) return sharedOutput(x, args.backend as unknown as WasmBackendMemory);
      return stock.kernelFunc(args);
    },
  };
}

/**
 * SplitV as block copies inside the wasm heap (copyWithin, no intermediate arrays). The stock
 * kernel slices each part through a copy of the whole input and per-row typed-array views.
 */
export const wasmSplitVKernel: tf.KernelConfig = {
  kernelName: tf.SplitV,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const x = inputs['x']!;
    const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') {
      throw new Error(`SplitV: dtype ${x.dtype} is not supported by this wasm kernel`);
    }
    const b = backend as unknown as WasmBackendMemory;
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, ax);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, ax));
    const inner = tf.util.sizeFromShape(x.shape.slice(ax + 1));
    const rowLen = x.shape[ax]! * inner;
    // Allocate every output before taking heap views: an allocation may grow (and detach) the heap.
    const outs = sizes.map((s) => {
      const shape = x.shape.slice();
      shape[ax] = s;
      return b.makeOutput(shape, x.dtype);
    });
    const heap = x.dtype === 'float32' ? b.wasm.HEAPF32 : b.wasm.HEAP32;
    const src = b.dataIdMap.get(x.dataId)!.memoryOffset / 4;
    let start = 0;
    sizes.forEach((s, i) => {
      const dst = b.dataIdMap.get(outs[i]!.dataId)!.memoryOffset / 4;
      const chunk = s * inner;
      for (let o = 0; o < outer; o++) {
        const from = src + o * rowLen + start;
        heap.copyWithin(dst + o * chunk, from, from + chunk);
      }
      start += chunk;
    });
    return outs;
  },
};
