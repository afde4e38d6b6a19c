import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sinCos, sinusoidFrequencies } from '../src/model/modules/time-embedding.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('time embedding sin and cos', () => {
  it('match Math.sin and Math.cos of the float32 angles t·f for every t < 4000 to 2e-6', async () => {
    const f = sinusoidFrequencies(128);
    const ts = Float32Array.from({ length: 4000 }, (_, t) => t);
    const angles = tf.mul(tf.tensor2d(ts, [ts.length, 1]), tf.tensor2d(f, [1, f.length])) as tf.Tensor2D;
    const [s, c] = sinCos(angles);
    const [x, sv, cv] = await Promise.all([angles.data(), s.data(), c.data()]);
    let worst = 0;
    for (let k = 0; k < x.length; k++) {
      worst = Math.max(worst, Math.abs(sv[k]! - Math.sin(x[k]!)), Math.abs(cv[k]! - Math.cos(x[k]!)));
    }
    expect(worst).toBeLessThan(2e-6);
    expect(worst).toBeGreaterThan(0);
    tf.dispose([angles, s, c]);
  });
});
