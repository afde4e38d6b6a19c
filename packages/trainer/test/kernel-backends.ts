// Shared by the kernel tests: TF.js's cpu and wasm backends with the trainer's gradients and training kernels.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll } from 'vitest';
import { ensureGradients, registerTrainingKernels } from '../src/backend/index.js';

export const KERNEL_BACKENDS = ['cpu', 'wasm'] as const;

/** Registers the gradients, and the training kernels on both backends, before the test file's tests. */
export function useTrainingKernels(): void {
  beforeAll(async () => {
    await ensureGradients();
    for (const backend of KERNEL_BACKENDS) {
      await tf.setBackend(backend);
      registerTrainingKernels(backend);
    }
  });
}
