import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry.js';
import { heapOffset, type WasmBackendMemory } from './wasm-heap.js';
import type { SimdKernels } from './wasm-simd-kernels.js';

/** Channels the SIMD row kernel tiles by: input channels by 4, output channels by 8. */
const IN_TILE = 4;
const OUT_TILE = 8;

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** `t` with zero channels appended up to `channels`. */
function padChannels(t: tf.Tensor4D, channels: number): tf.Tensor4D {
  if (t.shape[3] === channels) return t;
  return tf.pad(t, [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, channels - t.shape[3]],
  ]);
}

/**
 * ∂L/∂W of a convolution on wasm straight from x and dy in NHWC, with no transposes, padding or
 * packing: dW[kh, kw] = Σ_{n, oh, ow} x[n, oh·sh + kh − pt, ow·sw + kw − pl, :]ᵀ · dy[n, oh, ow, :].
 * For each tap and each output row whose input row exists, one SIMD call adds the outer products
 * of the valid stretch of the row (columns whose input column exists) into the tap's [Ci, Co] block,
 * which stays in L1 while the rows stream past. Channel counts that are not whole tiles are padded
 * with zero channels.
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
  const ci = roundUp(g.inChannels, IN_TILE);
  const co = roundUp(g.outChannels, OUT_TILE);
  if (ci === g.inChannels && co === g.outChannels) return rowProducts(x, dy, g, backend, simd);
  // Other channel counts (the image's 1 in, the ε-prediction's 1 out): zero channels, then cut dW.
  return tf.tidy(() => {
    const full = rowProducts(padChannels(x, ci), padChannels(dy, co), { ...g, inChannels: ci, outChannels: co }, backend, simd);
    return tf.slice(full, [0, 0, 0, 0], [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  });
}

/** conv2dBackpropFilterByRows for channel counts that are whole tiles. */
function rowProducts(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry, backend: WasmBackendMemory, simd: SimdKernels): tf.Tensor4D {
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
