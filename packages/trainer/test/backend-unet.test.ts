import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../src/node.js';
import { createModel } from '../src/node.js';
import { smallUNet } from './helpers.js';

/** A small class-conditional U-Net with every module of the default one (odd 10 → 5 level, attention at 5×5, dropout). */
const config = smallUNet({ imageSize: 10, channels: 2, attentionResolutions: [5], dropout: 0.2, numClasses: 3 });

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface StepResult {
  loss: number;
  grads: Float32Array[];
  extra: Float32Array;
}

/** Loss and every parameter's gradient of one U-Net training step, plus a graph of the other ops training uses. */
async function trainingStep(backend: 'wasm' | 'cpu'): Promise<StepResult> {
  await selectBackend(backend);
  const model = createModel(config, 5);
  const n = 3;
  const shape = [n, 10, 10, 2];
  const size = n * 10 * 10 * 2;
  const result = tf.tidy(() => {
    const x = tf.tensor4d(values(size, 1), shape as [number, number, number, number]);
    const eps = tf.tensor4d(values(size, 2), shape as [number, number, number, number]);
    const t = tf.tensor1d([3, 500, 999], 'int32');
    const labels = tf.tensor1d([0, 2, 3], 'int32'); // 3 = "no label"
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(tf.sub(eps, model.apply(x, t, labels, { training: true, dropoutSeed: 9 })))) as tf.Scalar,
      model.params,
    );
    // pad / slice / oneHot·matMul / batched matMul / softmax / concat, differentiated w.r.t. x.
    const extra = tf.grad((x4) => {
      const a = x4 as tf.Tensor4D;
      const padded = tf.pad(a, [
        [0, 0],
        [1, 2],
        [2, 1],
        [0, 0],
      ]);
      const cropped = tf.slice(padded, [0, 1, 0, 0], [n, 11, 12, 2]);
      const tokens = tf.reshape(cropped, [n, 66, 4]);
      const attn = tf.matMul(tf.softmax(tf.matMul(tokens, tokens, false, true)), tokens);
      const table = tf.reshape(tf.range(0, 16, 1, 'float32'), [4, 4]);
      const embedded = tf.matMul(tf.oneHot(tf.tensor1d([1, 0, 3], 'int32'), 4), table);
      const joined = tf.concat([tf.sum(attn, 1), embedded], 1);
      return tf.sum(tf.mul(joined, tf.sigmoid(joined)));
    })(x);
    return { value, grads: model.params.map((p) => grads[p.name]!), extra };
  });
  const out = {
    loss: result.value.dataSync()[0]!,
    grads: result.grads.map((g) => g.dataSync() as Float32Array),
    extra: result.extra.dataSync() as Float32Array,
  };
  tf.dispose([result.value, result.extra, ...result.grads]);
  model.dispose();
  return out;
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    norm = Math.max(norm, Math.abs(b[i]!));
  }
  return diff / Math.max(norm, 1e-6);
}

describe('U-Net training step on wasm', () => {
  it('runs forward + backward with every kernel available and matches the cpu backend', async () => {
    const wasm = await trainingStep('wasm');
    const cpu = await trainingStep('cpu');
    expect(Number.isFinite(wasm.loss)).toBe(true);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4 * Math.max(1, cpu.loss));
    expect(wasm.grads.length).toBe(cpu.grads.length);
    wasm.grads.forEach((g, i) => {
      expect(relativeError(g, cpu.grads[i]!), `gradient ${i}`).toBeLessThan(1e-3);
    });
    expect(cpu.grads.some((g) => g.some((v) => v !== 0))).toBe(true);
    expect(relativeError(wasm.extra, cpu.extra)).toBeLessThan(1e-4);
  });
});
