import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fusedGroupNorm, fusedGroupNormAvailable } from '../src/node.js';
import type { WasmBackendMemory } from '../src/backend/wasm-heap.js';
import { simdKernels } from '../src/backend/wasm-simd-kernels.js';
import { KERNEL_BACKENDS, useTrainingKernels } from './kernel-backends.js';
import { maxAbsDiff } from '../../../test/arrays.js';

/** Deterministic values in [−1, 1) plus `bias` (an offset mean tests the variance's precision). */
function values(n: number, seed: number, bias = 0): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1 + bias;
  }
  return out;
}

/** The op-composed GroupNorm the model used before (and still uses on other backends). */
function referenceGroupNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const grouped = tf.reshape(x, [n, h * w, groups, c / groups]);
  const mean = tf.mean(grouped, [1, 3], true);
  const centered = tf.sub(grouped, mean);
  const variance = tf.mean(tf.mul(centered, centered), [1, 3], true);
  const normalized = tf.reshape(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), x.shape);
  return tf.add(tf.mul(normalized, gamma), beta);
}


const SHAPE: [number, number, number, number] = [3, 5, 4, 12];
const GROUPS = 4;
const EPS = 1e-5;

/** y and ∂(Σ y·u)/∂(x, γ, β) with `norm`. */
function valueAndGrads(norm: typeof fusedGroupNorm): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(3 * 5 * 4 * 12, 1, 3), SHAPE);
    const gamma = tf.tensor1d(values(12, 2, 1));
    const beta = tf.tensor1d(values(12, 3));
    const u = tf.tensor4d(values(3 * 5 * 4 * 12, 4), SHAPE);
    const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => norm(a as tf.Tensor4D, g, b, GROUPS, EPS);
    const grads = tf.grads((a, g, b) => tf.sum(tf.mul(f(a!, g!, b!), u)))([x, gamma, beta]);
    return [f(x, gamma, beta), ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

useTrainingKernels();

describe('fused GroupNorm kernels', () => {
  for (const backend of KERNEL_BACKENDS) {
    it(`${backend}: forward and gradients equal the op-composed GroupNorm`, async () => {
      await tf.setBackend(backend);
      expect(fusedGroupNormAvailable()).toBe(true);
      const fused = valueAndGrads(fusedGroupNorm);
      const reference = valueAndGrads(referenceGroupNorm);
      for (const [i, name] of ['y', 'dx', 'dγ', 'dβ'].entries()) {
        expect(maxAbsDiff(fused[i]!, reference[i]!), name).toBeLessThan(2e-5);
      }
    });
  }

  for (const [shape, groups] of [
    [[4, 9, 9, 64], 8],
    [[2, 7, 5, 12], 4], // 12 channels: SIMD in blocks of 4 across group boundaries
    [[3, 5, 4, 6], 3], // 6 channels: not a multiple of 4, the JS loops on wasm too
  ] as const) {
    it(`wasm's SIMD passes equal the cpu backend's JS loops bit for bit, [${shape}] in ${groups} groups`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const c = shape[3];
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(values(n, 5, 2), [...shape]);
          const dy = tf.tensor4d(values(n, 6), [...shape]);
          const gamma = tf.tensor1d(values(c, 7, 1));
          const beta = tf.tensor1d(values(c, 8));
          const attrs = { groups, epsilon: EPS };
          const [y, mean, rstd] = tf.engine().runKernel('OnnxDdpmGroupNorm', { x, gamma, beta }, attrs) as tf.Tensor[];
          const grads = tf.engine().runKernel('OnnxDdpmGroupNormGrad', { dy, x, gamma, mean: mean!, rstd: rstd! }, attrs) as tf.Tensor[];
          return [y!, mean!, rstd!, ...grads].map((t) => Array.from(t.dataSync()));
        });
      };
      const wasm = await run('wasm');
      if (c % 4 === 0) expect(simdKernels(tf.backend() as unknown as WasmBackendMemory), 'this engine runs wasm SIMD').not.toBeNull();
      const cpu = await run('cpu');
      for (const [i, name] of ['y', 'mean', 'rstd', 'dx', 'dγ', 'dβ'].entries()) expect(wasm[i], name).toEqual(cpu[i]);
      expect(wasm[3]!.some((v) => Math.abs(v) > 0.1)).toBe(true);
    });
  }

  it('the gradient with respect to x matches central differences of the float64 loss', async () => {
    await tf.setBackend('wasm');
    const [, dx] = valueAndGrads(fusedGroupNorm);
    const x = Float64Array.from(values(3 * 5 * 4 * 12, 1, 3));
    const gamma = values(12, 2, 1);
    const beta = values(12, 3);
    const u = values(3 * 5 * 4 * 12, 4);
    const per = 12 / GROUPS;
    const loss = () => {
      let total = 0;
      for (let n = 0; n < 3; n++)
        for (let g = 0; g < GROUPS; g++) {
          const at = (p: number, k: number) => (n * 20 + p) * 12 + g * per + k;
          let s = 0;
          let ss = 0;
          for (let p = 0; p < 20; p++) for (let k = 0; k < per; k++) s += x[at(p, k)]!;
          const mu = s / (20 * per);
          for (let p = 0; p < 20; p++) for (let k = 0; k < per; k++) ss += (x[at(p, k)]! - mu) ** 2;
          const r = 1 / Math.sqrt(ss / (20 * per) + EPS);
          for (let p = 0; p < 20; p++)
            for (let k = 0; k < per; k++) {
              const c = g * per + k;
              total += (gamma[c]! * (x[at(p, k)]! - mu) * r + beta[c]!) * u[at(p, k)]!;
            }
        }
      return total;
    };
    for (const i of [0, 7, 100, 359, 700]) {
      const keep = x[i]!;
      x[i] = keep + 1e-4;
      const plus = loss();
      x[i] = keep - 1e-4;
      const minus = loss();
      x[i] = keep;
      expect(Math.abs(dx![i]! - (plus - minus) / 2e-4), `dx[${i}]`).toBeLessThan(1e-3);
    }
  });
});
