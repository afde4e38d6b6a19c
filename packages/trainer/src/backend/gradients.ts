import * as tf from '@tensorflow/tfjs-core';

let pending: Promise<string> | null = null;

/**
 * Makes sure TF.js gradient functions are registered. The Node build of @tensorflow/tfjs-core
 * (dist/tf-core.node.js) registers none; they live in tfjs-core's ESM files, which a bundler resolves
 * as is and Node resolves through the hook of node-esm-resolve.ts (loaded by the `./node` entry). The
 * registries are global, so either copy of tfjs-core serves every other. Returns where they came from.
 */
export function ensureGradients(): Promise<string> {
  pending ??= loadGradients();
  return pending;
}

async function loadGradients(): Promise<string> {
  if (tf.getGradient(tf.Conv2D) != null) return 'already registered';
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
  } catch (err) {
    throw new Error(
      `TF.js gradients could not be registered (@tensorflow/tfjs-core/dist/register_all_gradients.js: ${(err as Error).message}); in Node, import @onnx-ddpm/trainer/node`,
    );
  }
  if (tf.getGradient(tf.Conv2D) == null) {
    throw new Error('TF.js gradients could not be registered (@tensorflow/tfjs-core/dist/register_all_gradients.js)');
  }
  return '@tensorflow/tfjs-core/dist/register_all_gradients.js';
}
