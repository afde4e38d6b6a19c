import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fusedSwish, fusedSwishAvailable } from '../src/backend/index.js';
import type { WasmBackendMemory } from '../src/backend/wasm-heap.js';
import { simdKernels } from '../src/backend/wasm-simd-kernels.js';
import { KERNEL_BACKENDS, useTrainingKernels } from './kernel-backends.js';

/** Deterministic values in [−scale, scale). */
function values(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

/** The composition TF.js differentiates op by op (the model's Swish before the fused gradient). */
const composedSwish = <T extends tf.Tensor>(x: T): T => tf.mul(x, tf.sigmoid(x));

const SHAPE: [number, number, number, number] = [2, 5, 3, 7];
const SIZE = 2 * 5 * 3 * 7;

/** y = swish(swish(x)·w) and ∂(Σ y·u)/∂(x, w): Swish twice in a chain, so its gradient feeds another. */
function valueAndGrads(swish: typeof composedSwish): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(SIZE, 1, 8), SHAPE);
    const w = tf.tensor1d(values(7, 2, 2));
    const u = tf.tensor4d(values(SIZE, 3, 1), SHAPE);
    const f = (a: tf.Tensor, b: tf.Tensor) => swish(tf.mul(swish(a), b));
    const grads = tf.grads((a, b) => tf.sum(tf.mul(f(a!, b!), u)))([x, w]);
    return [f(x, w), ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

useTrainingKernels();

describe('Swish with the one-pass gradient kernel', () => {
  for (const backend of KERNEL_BACKENDS) {
    it(`${backend}: value and gradients equal the composition x·σ(x) differentiated by TF.js`, async () => {
      await tf.setBackend(backend);
      expect(fusedSwishAvailable()).toBe(true);
      const fused = valueAndGrads(fusedSwish);
      const reference = valueAndGrads(composedSwish);
      expect(Array.from(fused[0]!)).toEqual(Array.from(reference[0]!)); // same forward kernels
      for (const [i, name] of ['dx', 'dw'].entries()) {
        expect(maxRelDiff(fused[i + 1]!, reference[i + 1]!), name).toBeLessThan(1e-5);
      }
      // the gradient is not trivially zero or the identity
      expect(fused[1]!.some((v) => Math.abs(v) > 0.1)).toBe(true);
    });
  }

  it('the gradient matches central differences of the float64 Swish', async () => {
    await tf.setBackend('wasm');
    const x = values(SIZE, 4, 6);
    const dx = tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(fusedSwish(a)))(tf.tensor4d(x, SHAPE)).dataSync() as Float32Array);
    const swish64 = (v: number) => v / (1 + Math.exp(-v));
    for (let i = 0; i < SIZE; i++) {
      const h = 1e-4;
      const numeric = (swish64(x[i]! + h) - swish64(x[i]! - h)) / (2 * h);
      expect(Math.abs(dx[i]! - numeric), `x = ${x[i]}`).toBeLessThan(1e-5);
    }
  });

  for (const shape of [
    [4, 9, 9, 64],
    [3, 5, 7, 3], // 315 floats: SIMD for 312, the JS loop for the last 3
    [1, 1, 1, 2], // shorter than one SIMD vector
  ]) {
    it(`wasm's SIMD loop equals the cpu backend's JS loop bit for bit, [${shape}]`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const inputs = [values(n, 5, 8), values(n, 6, 1), values(n, 7, 0.5).map((v) => v + 0.5)];
      const dx = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const [x, dy, s] = inputs.map((v) => tf.tensor(v, shape));
          return (tf.engine().runKernel('OnnxDdpmSwishGrad', { dy: dy!, x: x!, s: s! }) as tf.Tensor[])[0]!;
        });
      };
      const wasm = await dx('wasm');
      expect(simdKernels(tf.backend() as unknown as WasmBackendMemory), 'this engine runs wasm SIMD').not.toBeNull();
      const wasmValues = Array.from(wasm.dataSync());
      wasm.dispose();
      const cpu = await dx('cpu');
      expect(wasmValues).toEqual(Array.from(cpu.dataSync()));
      expect(wasmValues.some((v) => Math.abs(v) > 0.1)).toBe(true);
      cpu.dispose();
    });
  }

  it('the kernel rejects inputs whose shapes differ, saying which', async () => {
    await tf.setBackend('wasm');
    const a = tf.ones([2, 3]);
    const b = tf.ones([3, 2]);
    expect(() => tf.engine().runKernel('OnnxDdpmSwishGrad', { dy: a, x: a, s: b })).toThrow(/expected float32 s of shape \[2,3\], got float32 \[3,2\]/);
    tf.dispose([a, b]);
  });
});
