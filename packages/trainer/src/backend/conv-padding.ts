import * as tf from '@tensorflow/tfjs-core';

/**
 * Applies signed spatial padding to an NHWC tensor for a following convolution: negative amounts
 * crop rows/columns now, positive amounts are returned as explicit conv padding.
 */
export function splitSignedPadding(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): { input: tf.Tensor4D; pad: tf.backend_util.ExplicitPadding } {
  const cropTop = Math.max(0, -top);
  const cropBottom = Math.max(0, -bottom);
  const cropLeft = Math.max(0, -left);
  const cropRight = Math.max(0, -right);
  const [n, h, w, c] = x.shape;
  const input =
    cropTop + cropBottom + cropLeft + cropRight === 0
      ? x
      : tf.slice(x, [0, cropTop, cropLeft, 0], [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c]);
  const pad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [Math.max(0, top), Math.max(0, bottom)],
    [Math.max(0, left), Math.max(0, right)],
    [0, 0],
  ];
  return { input, pad };
}
