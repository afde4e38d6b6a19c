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

/** About this many positions per GEMM, so that a chunk's x rows and packed dy stay in L2. */
const CHUNK_POSITIONS = 4096;

/** The largest divisor of `batch` whose images hold at most CHUNK_POSITIONS positions (at least 1). */
function imagesPerChunk(batch: number, imagePositions: number): number {
  let best = 1;
  for (let d = 1; d <= batch && d * imagePositions <= CHUNK_POSITIONS; d++) if (batch % d === 0) best = d;
  return best;
}

/**
 * ∂L/∂W of a stride-1 'same' convolution on wasm as XNNPACK GEMMs, one per filter tap and chunk of
 * images, reading shifted windows of x in place:
 * - x and dy are laid out with pw zero columns after every row and ph zero rows after every image
 *   (Wg = W + pw, Hg = H + ph), so tap (kh, kw) reads x at the dy position plus
 *   δ = (kh − ph)·Wg + (kw − pw), and every out-of-image read lands on a zero;
 * - per chunk of images (Q positions), x is stored transposed, one row of Q per input channel,
 *   with a row of Q zeros before the first chunk and after the last (Q ≥ ph·Wg + pw, the furthest a
 *   window reaches outside), so the shifted window of all
 *   channels is one contiguous [Ci, Q] matrix at offset δ (a row's window spills into its
 *   neighbour only where dy is zero: every image ends with zero gap rows);
 * - partial[chunk, kh, kw] = windowᵀ·dy[chunk]: [Ci, Q]·[Q, Co], written straight into a scratch
 *   tensor that is then summed over chunks; XNNPACK packs each dy chunk once for all taps.
 */
export function conv2dBackpropFilterByTaps(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
  backend: WasmBackendMemory,
): tf.Tensor4D {
  if (dy.shape[0] !== g.batch || dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(`Conv2DBackpropFilter: dy shape [${dy.shape}] does not match the convolution output`);
  }
  const ph = g.padTop;
  const pw = g.padLeft;
  const wg = g.inWidth + pw;
  const imagePositions = (g.inHeight + ph) * wg;
  const perChunk = imagesPerChunk(g.batch, imagePositions);
  const chunks = g.batch / perChunk;
  const q = perChunk * imagePositions;
  const lead = ph * wg + pw;
  const ci = g.inChannels;
  const co = g.outChannels;
  const taps = g.filterHeight * g.filterWidth;
  return tf.tidy(() => {
    const gaps: [number, number][] = [
      [0, 0],
      [0, ph],
      [0, pw],
      [0, 0],
    ];
    // One transpose and one pad: [chunks, images·H·W, Ci] → [chunks·Ci, images, H, W] → zero gaps,
    // plus one zero row of q floats before the first row and after the last (q ≥ lead).
    const channelRows = tf.reshape(tf.transpose(tf.reshape(x, [chunks, perChunk * g.inHeight * g.inWidth, ci]), [0, 2, 1]), [
      chunks * ci,
      perChunk,
      g.inHeight,
      g.inWidth,
    ]);
    const xRows = tf.pad(channelRows, [
      [1, 1],
      [0, 0],
      [0, ph],
      [0, pw],
    ]);
    const dyGapped = lead === 0 ? dy : tf.pad(dy, gaps);
    const partial = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([chunks, g.filterHeight, g.filterWidth, ci, co], 'float32'));
    const xBase = heapOffset(backend, xRows) + 4 * q;
    const dyBase = heapOffset(backend, dyGapped);
    const outBase = heapOffset(backend, partial);
    for (let c = 0; c < chunks; c++) {
      const dyView = heapView(backend, dyBase + 4 * c * q * co, q, co);
      for (let kh = 0; kh < g.filterHeight; kh++) {
        for (let kw = 0; kw < g.filterWidth; kw++) {
          const delta = (kh - ph) * wg + (kw - pw);
          const window = heapView(backend, xBase + 4 * (c * ci * q + delta), ci, q);
          const tap = heapView(backend, outBase + 4 * (c * taps + kh * g.filterWidth + kw) * ci * co, ci, co);
          multiplyInHeap(backend, window, dyView, tap, ci, q, co);
          releaseView(backend, window);
          releaseView(backend, tap);
        }
      }
      releaseView(backend, dyView);
    }
    return tf.sum(partial, 0) as tf.Tensor4D;
  });
}
