import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, convGeometry, forEachTapRow, type ConvGradAttrs } from './conv-geometry.js';
import { heapIndex, heapOffset, type WasmBackendMemory } from './wasm-heap.js';
import { type SimdKernels, simdKernels } from './wasm-simd-kernels.js';

interface FusedConv2DAttrs extends ConvGradAttrs {
  dilations: [number, number] | number;
  activation: string;
}

/**
 * y = conv2d(x, W) + b on wasm from SIMD row products: for each tap and output row whose input row
 * exists, the valid stretch of the input row (x's positions sw·Ci apart) times the tap's [Ci, Co]
 * block is added into the output row, which starts as the bias. Output channels by 16.
 */
function conv2dByRows(x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | undefined, g: ConvGeometry, backend: WasmBackendMemory, simd: SimdKernels): tf.TensorInfo {
  const { inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = g;
  const out = backend.makeOutput([g.batch, oh, ow, co], 'float32');
  const y = heapOffset(backend, out);
  const heap = backend.wasm.HEAPF32;
  const total = g.batch * oh * ow * co;
  const first = y / 4;
  if (bias == null) heap.fill(0, first, first + total);
  else {
    // The bias in every position: one copy, then doubling block copies.
    const b = heapIndex(backend, bias);
    heap.copyWithin(first, b, b + co);
    for (let filled = co; filled < total; filled *= 2) heap.copyWithin(first + filled, first, first + Math.min(filled, total - filled));
  }
  const xBase = heapOffset(backend, x);
  const wBase = heapOffset(backend, filter);
  forEachTapRow(g, (tap, input, output, count) => {
    simd.rowTimesWeights(xBase + 4 * input, y + 4 * output, wBase + 4 * tap, count, 4 * g.strideWidth * ci, 4 * co, co, ci);
  });
  return out;
}

/**
 * wasm FusedConv2D without activation as SIMD row products (34 vs 28 GFLOP/s on the U-Net's
 * shapes) where they pay: output channels by 16, at least 16 input channels (the products are
 * summed over them). Anything else goes to the stock XNNPACK kernel, and so does plain Conv2D.
 */
export function wasmFusedConv2dKernel(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const { x, filter, bias, preluActivationWeights } = args.inputs;
      const a = args.attrs as unknown as FusedConv2DAttrs;
      const dilations = typeof a.dilations === 'number' ? [a.dilations, a.dilations] : a.dilations;
      const plain =
        a.activation === 'linear' &&
        preluActivationWeights == null &&
        a.dataFormat === 'NHWC' &&
        dilations[0] === 1 &&
        dilations[1] === 1 &&
        x!.dtype === 'float32' &&
        filter!.dtype === 'float32';
      if (plain) {
        const g = convGeometry(tf.FusedConv2D, x!.shape, filter!.shape, a);
        const backend = args.backend as unknown as WasmBackendMemory;
        const simd = g.outChannels % 16 === 0 && g.inChannels >= 16 ? simdKernels(backend) : null;
        if (simd != null) return conv2dByRows(x!, filter!, bias, g, backend, simd);
      }
      return stock.kernelFunc(args);
    },
  };
}
