import * as tf from '@tensorflow/tfjs-core';
import { type ConvGradAttrs, convGeometry } from './conv-geometry.js';
import { splitSignedPadding } from './conv-padding.js';
import { convGradKernel } from './conv-grad-kernel.js';
import type { WasmBackendMemory } from './wasm-heap.js';
import { simdKernels } from './wasm-simd-kernels.js';
import { conv2dBackpropFilterByRows } from './conv-backprop-filter-rows.js';

interface BackpropFilterAttrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

/**
 * ∂L/∂W of y = conv2d(x, W) computed with one forward convolution:
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[n,oh,ow,co],
 * i.e. input channels act as the batch, the batch acts as the channels, dy is the filter and the
 * forward stride becomes the dilation.
 */
export function conv2dBackpropFilterViaConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  attrs: ConvGradAttrs,
): tf.Tensor4D {
  const g = convGeometry('Conv2DBackpropFilter', x.shape, filterShape, attrs);
  if (dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(
      `Conv2DBackpropFilter: dy shape [${dy.shape}] does not match the convolution output [${g.batch},${g.outHeight},${g.outWidth},${g.outChannels}]`,
    );
  }
  return tf.tidy(() => {
    // Rows needed below the input: the last tap reads row (OH−1)·sh + KH−1 − pt.
    const bottom = (g.outHeight - 1) * g.strideHeight + g.filterHeight - g.padTop - g.inHeight;
    const right = (g.outWidth - 1) * g.strideWidth + g.filterWidth - g.padLeft - g.inWidth;
    const channelsAsBatch = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H, W, N]
    const { input, pad } = splitSignedPadding(channelsAsBatch, g.padTop, bottom, g.padLeft, right);
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, N, Co]
    const out = tf.conv2d(input, dyAsFilter, 1, pad, 'NHWC', [g.strideHeight, g.strideWidth]); // [Ci, KH, KW, Co]
    return tf.transpose(out, [1, 2, 0, 3]);
  });
}

/** dW from SIMD row products straight from x and dy (conv-backprop-filter-rows.ts); null without wasm SIMD. */
function bySimdRows(x: tf.Tensor4D, dy: tf.Tensor4D, a: BackpropFilterAttrs, memory: WasmBackendMemory): tf.Tensor4D | null {
  const simd = simdKernels(memory);
  return simd == null ? null : conv2dBackpropFilterByRows(x, dy, convGeometry('Conv2DBackpropFilter', x.shape, a.filterShape, a), memory, simd);
}

/**
 * Kernel config factory: Conv2DBackpropFilter for `backendName`, built on that backend's forward
 * Conv2D; on wasm with SIMD, from SIMD row products instead (as fast per FLOP as XNNPACK's forward
 * convolution, and 1.6× the per-tap XNNPACK GEMMs that came before).
 */
export function conv2dBackpropFilterKernel(backendName: string): tf.KernelConfig {
  const viaConv = (x: tf.Tensor4D, dy: tf.Tensor4D, a: BackpropFilterAttrs) => conv2dBackpropFilterViaConv(x, dy, a.filterShape, a);
  return convGradKernel(tf.Conv2DBackpropFilter, backendName, ['x', 'dy'], bySimdRows, viaConv);
}
