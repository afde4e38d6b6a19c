import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry.js';
import { heapOffset, type WasmBackendMemory } from './wasm-heap.js';
import type { SimdKernels } from './wasm-simd-kernels.js';

/** Channel counts the SIMD row kernel tiles: input channels by 4, output channels by 8. */
export function rowProductsApply(g: ConvGeometry): boolean {
  return g.inChannels % 4 === 0 && g.outChannels % 8 === 0;
}

/**
 * ∂L/∂W of a convolution on wasm straight from x and dy in NHWC, with no transposes, padding or
 * packing: dW[kh, kw] = Σ_{n, oh, ow} x[n, oh·sh + kh − pt, ow·sw + kw − pl, :]ᵀ · dy[n, oh, ow, :].
 * For each tap and each output row whose input row exists, one SIMD call adds the outer products
 * of the valid stretch of the row (columns whose input column exists) into the tap's [Ci, Co] block,
 * which stays in L1 while the rows stream past.
 */
export function conv2dBackpropFilterByRows(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  backend: WasmBackendMemory,
  simd: SimdKernels,
): tf.Tensor4D {
  if (dy.shape[0] !== g.batch || dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(`Conv2DBackpropFilter: dy shape [${dy.shape}] does not match the convolution output`);
  }
  const { inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = g;
  const size = g.filterHeight * g.filterWidth * ci * co;
  const out = backend.makeOutput([g.filterHeight, g.filterWidth, ci, co], 'float32');
  const dw = heapOffset(backend, out);
  backend.wasm.HEAPF32.fill(0, dw / 4, dw / 4 + size);
  const xBase = heapOffset(backend, x);
  const dyBase = heapOffset(backend, dy);
  for (let kh = 0; kh < g.filterHeight; kh++) {
    for (let kw = 0; kw < g.filterWidth; kw++) {
      // Output columns whose input column ow·sw + kw − pl lies in [0, W).
      const first = Math.max(0, Math.ceil((g.padLeft - kw) / g.strideWidth));
      const end = Math.min(ow, Math.floor((w - 1 + g.padLeft - kw) / g.strideWidth) + 1);
      if (end <= first) continue;
      const tap = dw + 4 * (kh * g.filterWidth + kw) * ci * co;
      for (let n = 0; n < g.batch; n++) {
        for (let i = 0; i < oh; i++) {
          const xi = i * g.strideHeight + kh - g.padTop;
          if (xi < 0 || xi >= h) continue;
          const xAt = xBase + 4 * ((n * h + xi) * w + first * g.strideWidth + kw - g.padLeft) * ci;
          const dyAt = dyBase + 4 * ((n * oh + i) * ow + first) * co;
          simd.filterGradRow(xAt, dyAt, tap, end - first, 4 * g.strideWidth * ci, ci, co);
        }
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
}
