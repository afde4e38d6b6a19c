import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, forEachTapRow } from './conv-geometry.js';
import { heapOffset, type WasmBackendMemory } from './wasm-heap.js';
import type { SimdKernels } from './wasm-simd-kernels.js';

/** Input channels the SIMD row kernel tiles by (padding others costs more than it saves: the image's 1 channel). */
export function inputRowsApply(g: ConvGeometry): boolean {
  return g.inChannels % 16 === 0;
}

/**
 * ∂L/∂x of a convolution on wasm from dy in NHWC, scattered back tap by tap:
 * dx[n, oh·sh + kh − pt, ow·sw + kw − pl, :] += W[kh, kw] · dy[n, oh, ow, :]. For each tap and each
 * output row whose input row exists, one SIMD call adds the valid stretch of the row; the filter is
 * transposed once to [KH, KW, Co, Ci]. Needs inputRowsApply(g).
 */
export function conv2dBackpropInputByRows(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  g: ConvGeometry,
  backend: WasmBackendMemory,
  simd: SimdKernels,
): tf.Tensor4D {
  const { inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = g;
  return tf.tidy(() => {
    const weights = tf.transpose(filter, [0, 1, 3, 2]);
    const out = backend.makeOutput([g.batch, h, w, ci], 'float32');
    const dx = heapOffset(backend, out);
    backend.wasm.HEAPF32.fill(0, dx / 4, dx / 4 + g.batch * h * w * ci);
    const dyBase = heapOffset(backend, dy);
    const wBase = heapOffset(backend, weights);
    // The tap's block of Wᵀ [KH, KW, Co, Ci] sits where W's [Ci, Co] block does.
    forEachTapRow(g, (tap, input, output, count) => {
      simd.rowTimesWeights(dyBase + 4 * output, dx + 4 * input, wBase + 4 * tap, count, 4 * co, 4 * g.strideWidth * ci, ci, co);
    });
    return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor4D;
  });
}
