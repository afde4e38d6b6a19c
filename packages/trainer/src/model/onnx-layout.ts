import * as tf from '@tensorflow/tfjs-core';
import { transposeArray } from './emitter.js';
import type { EpsNet } from './eps-net.js';

/**
 * model.apply (training = false) on data in the exported graph's layout: NCHW (transposed to NHWC and
 * back) or [N, D] as is. What the export self-check and the web page compare against ONNX Runtime.
 */
export async function applyOnnxLayout(model: EpsNet, sample: Float32Array, dims: number[], t: ArrayLike<number>, labels: ArrayLike<number> | null): Promise<Float32Array> {
  const nhwc = dims.length === 4;
  const [n, ch, h, w] = dims as [number, number, number, number];
  const out = tf.tidy(() => {
    const x = nhwc ? tf.tensor(transposeArray(sample, dims, [0, 2, 3, 1]), [n, h, w, ch], 'float32') : tf.tensor(sample, dims, 'float32');
    const tt = tf.tensor1d(Array.from(t), 'int32');
    const ll = labels ? tf.tensor1d(Array.from(labels), 'int32') : null;
    return model.apply(x, tt, ll, { training: false });
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return nhwc ? transposeArray(data, [n, h, w, ch], [0, 3, 1, 2]) : Float32Array.from(data);
}
