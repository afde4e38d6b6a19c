import * as tf from '@tensorflow/tfjs-core';

/** Padding and output size of one NHWC 2-D convolution (forward direction), resolved to numbers. */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

/** The kernel attributes shared by Conv2DBackpropFilter and Conv2DBackpropInput. */
export interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Resolves the forward convolution x[inShape] ⊛ W[filterShape] that a gradient kernel differentiates. */
export function convGeometry(
  kernelName: string,
  inShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvGradAttrs,
): ConvGeometry {
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`${kernelName}: only dataFormat NHWC is supported by this kernel, got ${attrs.dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
}

/**
 * Visits every filter tap (kh, kw) and output row oh of item n whose input row ih = oh·sh + kh − pt
 * exists, with the stretch of output columns [first, first + count) whose input columns
 * ow·sw + kw − pl exist (count > 0): the pieces a row-by-row convolution kernel works on, taps
 * outermost. Offsets are in elements: the tap's [Ci, Co] block in a [KH, KW, Ci, Co] filter, the
 * stretch's first input position in NHWC x (its positions sw·Ci apart) and first output position
 * in NHWC y (Co apart).
 */
export function forEachTapRow(g: ConvGeometry, visit: (tap: number, input: number, output: number, count: number) => void): void {
  const { inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = g;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const first = Math.max(0, Math.ceil((g.padLeft - kw) / g.strideWidth));
      const end = Math.min(ow, Math.floor((w - 1 + g.padLeft - kw) / g.strideWidth) + 1);
      if (end <= first) continue;
      const tap = (kh * g.filterWidth + kw) * ci * co;
      for (let n = 0; n < g.batch; n++) {
        for (let i = 0; i < oh; i++) {
          const ih = i * g.strideHeight + kh - g.padTop;
          if (ih < 0 || ih >= h) continue;
          visit(tap, ((n * h + ih) * w + first * g.strideWidth + kw - g.padLeft) * ci, ((n * oh + i) * ow + first) * co, end - first);
        }
      }
    }
  }
}
