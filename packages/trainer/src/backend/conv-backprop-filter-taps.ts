import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry.js';
import { heapOffset, heapView, multiplyInHeap, releaseView, type WasmBackendMemory } from './wasm-heap.js';

/** Stride-1 convolutions whose output has the input's size with symmetric padding ('same' for odd kernels, 1×1). */
export function tapProductsApply(g: ConvGeometry): boolean {
  return (
    g.strideHeight === 1 &&
    g.strideWidth === 1 &&
    g.outHeight === g.inHeight &&
    g.outWidth === g.inWidth &&
    g.padTop === g.padBottom &&
    g.padLeft === g.padRight
  );
}

/**
 * ∂L/∂W of a stride-1 'same' convolution on wasm as one XNNPACK GEMM per filter tap, reading shifted
 * windows of x in place:
 * - x and dy are laid out with pw zero columns after every row and ph zero rows after every image
 *   (Wg = W + pw, Hg = H + ph, Q = N·Hg·Wg positions), so tap (kh, kw) reads x at the dy position
 *   plus δ = (kh − ph)·Wg + (kw − pw), and every out-of-image read lands on a zero;
 * - x is stored transposed, one row of Q per input channel, with ph·Wg + pw zeros before and after,
 *   so the shifted window of all channels is one contiguous [Ci, Q] matrix at offset δ (a row's
 *   window spills into its neighbour only where dy is zero);
 * - dW[kh, kw] = windowᵀ·dy: [Ci, Q]·[Q, Co], written straight into the output; XNNPACK packs dy once.
 */
export function conv2dBackpropFilterByTaps(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  backend: WasmBackendMemory,
): tf.TensorInfo {
  if (dy.shape[0] !== g.batch || dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(`Conv2DBackpropFilter: dy shape [${dy.shape}] does not match the convolution output`);
  }
  const ph = g.padTop;
  const pw = g.padLeft;
  const wg = g.inWidth + pw;
  const q = g.batch * (g.inHeight + ph) * wg;
  const lead = ph * wg + pw;
  const ci = g.inChannels;
  const co = g.outChannels;
  const [xRows, dyGapped] = tf.tidy(() => {
    const gaps: [number, number][] = [
      [0, 0],
      [0, ph],
      [0, pw],
      [0, 0],
    ];
    const gapped = (t: tf.Tensor4D) => (lead === 0 ? t : tf.pad(t, gaps));
    const rows = tf.reshape(tf.transpose(gapped(x), [3, 0, 1, 2]), [ci * q]);
    return [lead === 0 ? rows : tf.pad(rows, [[lead, lead]]), gapped(dy)];
  });
  const out = backend.makeOutput([g.filterHeight, g.filterWidth, ci, co], 'float32');
  const xBase = heapOffset(backend, xRows) + 4 * lead;
  const outBase = heapOffset(backend, out);
  const dyView = heapView(backend, heapOffset(backend, dyGapped), q, co);
  try {
    for (let kh = 0; kh < g.filterHeight; kh++) {
      for (let kw = 0; kw < g.filterWidth; kw++) {
        const delta = (kh - ph) * wg + (kw - pw);
        const window = heapView(backend, xBase + 4 * delta, ci, q);
        const tap = heapView(backend, outBase + 4 * (kh * g.filterWidth + kw) * ci * co, ci, co);
        multiplyInHeap(backend, window, dyView, tap, ci, q, co);
        releaseView(backend, window);
        releaseView(backend, tap);
      }
    }
  } finally {
    releaseView(backend, dyView);
    xRows.dispose();
    if (dyGapped !== dy) dyGapped.dispose();
  }
  return out;
}
