import * as tf from '@tensorflow/tfjs-core';
import { type ConvGradAttrs, type ConvGeometry, convGeometry } from './conv-geometry.js';
import { conv2dBackpropInputByRows, inputRowsApply } from './conv-backprop-input-rows.js';
import { splitSignedPadding } from './conv-padding.js';
import { convGradKernel } from './conv-grad-kernel.js';
import type { WasmBackendMemory } from './wasm-heap.js';
import { simdKernels } from './wasm-simd-kernels.js';

interface BackpropInputAttrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

/**
 * One output phase along one axis. Input index i = s·a + r receives dy[a + c − m]·W[q + s·m] for
 * m = 0..taps−1, with q = (r + p) mod s and c = ⌊(r + p)/s⌋: a stride-1 correlation of dy with the
 * flipped sub-filter W[q + s·(taps−1−m)], padded by (taps−1−c) before and (count − outLen + c) after.
 */
interface AxisPhase {
  taps: number[]; // filter indices, already flipped
  count: number; // number of input positions ≡ r (mod s)
  padBefore: number;
  padAfter: number;
}

function axisPhases(inLen: number, outLen: number, filterLen: number, stride: number, padStart: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < stride; r++) {
    const q = (r + padStart) % stride;
    const c = Math.floor((r + padStart) / stride);
    const numTaps = q < filterLen ? Math.ceil((filterLen - q) / stride) : 0;
    const taps: number[] = [];
    for (let m = numTaps - 1; m >= 0; m--) taps.push(q + stride * m);
    const count = r < inLen ? Math.ceil((inLen - r) / stride) : 0;
    phases.push({ taps, count, padBefore: numTaps - 1 - c, padAfter: count - outLen + c });
  }
  return phases;
}

/**
 * The sub-filter of one phase pair as a conv2d filter [rowTaps, colTaps, Co, Ci]:
 * sub[a, b, co, ci] = W[rowTaps[a], colTaps[b], ci, co]. Filters are small, so this is built in JS.
 */
function subFilter(w: Float32Array, g: ConvGeometry, rowTaps: number[], colTaps: number[]): tf.Tensor4D {
  const ci = g.inChannels;
  const co = g.outChannels;
  const out = new Float32Array(rowTaps.length * colTaps.length * co * ci);
  let dst = 0;
  for (const r of rowTaps) {
    for (const c of colTaps) {
      const base = (r * g.filterWidth + c) * ci * co;
      for (let o = 0; o < co; o++) {
        for (let i = 0; i < ci; i++) out[dst++] = w[base + i * co + o]!;
      }
    }
  }
  return tf.tensor4d(out, [rowTaps.length, colTaps.length, co, ci]);
}

/** dx of one (row phase, column phase) pair: a stride-1 forward convolution of dy. */
function phaseGradient(
  dy: tf.Tensor4D,
  w: Float32Array,
  g: ConvGeometry,
  row: AxisPhase,
  col: AxisPhase,
  rows: number,
  cols: number,
): tf.Tensor4D {
  if (row.taps.length === 0 || col.taps.length === 0 || row.count === 0 || col.count === 0) {
    return tf.zeros([g.batch, rows, cols, g.inChannels]);
  }
  const { input, pad } = splitSignedPadding(dy, row.padBefore, row.padAfter, col.padBefore, col.padAfter);
  const out = tf.conv2d(input, subFilter(w, g, row.taps, col.taps), 1, pad); // [N, row.count, col.count, Ci]
  if (row.count === rows && col.count === cols) return out;
  return tf.pad(out, [
    [0, 0],
    [0, rows - row.count],
    [0, cols - col.count],
    [0, 0],
  ]);
}

function checkDy(dy: tf.Tensor4D, g: ConvGeometry): void {
  if (dy.shape[0] !== g.batch || dy.shape[1] !== g.outHeight || dy.shape[2] !== g.outWidth || dy.shape[3] !== g.outChannels) {
    throw new Error(
      `Conv2DBackpropInput: dy shape [${dy.shape}] does not match the convolution output [${g.batch},${g.outHeight},${g.outWidth},${g.outChannels}]`,
    );
  }
}

/**
 * ∂L/∂x of y = conv2d(x, W) (also the forward pass of conv2dTranspose) from forward convolutions
 * only: the stride-s transposed convolution splits into s² stride-1 convolutions (one per output
 * phase) with sub-filters, whose outputs are interleaved.
 */
export function conv2dBackpropInputViaConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  attrs: ConvGradAttrs,
): tf.Tensor4D {
  const g = convGeometry('Conv2DBackpropInput', inputShape, filter.shape, attrs);
  checkDy(dy, g);
  const w = filter.dataSync() as Float32Array;
  return tf.tidy(() => {
    const sh = g.strideHeight;
    const sw = g.strideWidth;
    const rowPhases = axisPhases(g.inHeight, g.outHeight, g.filterHeight, sh, g.padTop);
    const colPhases = axisPhases(g.inWidth, g.outWidth, g.filterWidth, sw, g.padLeft);
    if (sh === 1 && sw === 1) {
      return phaseGradient(dy, w, g, rowPhases[0]!, colPhases[0]!, g.inHeight, g.inWidth);
    }
    const rows = Math.ceil(g.inHeight / sh);
    const cols = Math.ceil(g.inWidth / sw);
    // out[n, a·sh + r, b·sw + k, c] = phase(r, k)[n, a, b, c]
    const rowBands = rowPhases.map((rp) => {
      const parts = colPhases.map((cp) => phaseGradient(dy, w, g, rp, cp, rows, cols));
      return tf.reshape(tf.stack(parts, 3), [g.batch, rows, cols * sw, g.inChannels]);
    });
    const full = tf.reshape(tf.stack(rowBands, 2), [g.batch, rows * sh, cols * sw, g.inChannels]) as tf.Tensor4D;
    if (rows * sh === g.inHeight && cols * sw === g.inWidth) return full;
    return tf.slice(full, [0, 0, 0, 0], [g.batch, g.inHeight, g.inWidth, g.inChannels]);
  });
}

/** dx from SIMD row products (conv-backprop-input-rows.ts); null where they do not apply or without wasm SIMD. */
function bySimdRows(dy: tf.Tensor4D, filter: tf.Tensor4D, a: BackpropInputAttrs, memory: WasmBackendMemory): tf.Tensor4D | null {
  const g = convGeometry('Conv2DBackpropInput', a.inputShape, filter.shape, a);
  const simd = inputRowsApply(g) ? simdKernels(memory) : null;
  if (simd == null) return null;
  checkDy(dy, g);
  return conv2dBackpropInputByRows(dy, filter, g, memory, simd);
}

/**
 * Kernel config factory: Conv2DBackpropInput for `backendName`, built on that backend's forward
 * Conv2D; on wasm with SIMD, from SIMD row products instead where the input channels are whole
 * tiles (conv-backprop-input-rows.ts: 34 vs 27 GFLOP/s on the U-Net's shapes).
 */
export function conv2dBackpropInputKernel(backendName: string): tf.KernelConfig {
  const viaConv = (dy: tf.Tensor4D, filter: tf.Tensor4D, a: BackpropInputAttrs) => conv2dBackpropInputViaConv(dy, filter, a.inputShape, a);
  return convGradKernel(tf.Conv2DBackpropInput, backendName, ['dy', 'filter'], bySimdRows, viaConv);
}
