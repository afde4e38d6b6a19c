import { createRequire, register } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

/**
 * A Node resolve hook for tfjs-core's ESM files (dist/*.js), which import each other without file
 * extensions: retries such a relative specifier with '.js' appended.
 */
const EXTENSIONLESS_HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    const parent = context.parentURL ?? '';
    if (parent.includes('/@tensorflow/tfjs-core/dist/') && specifier.startsWith('.') && !specifier.endsWith('.js')) {
      return next(specifier + '.js', context);
    }
    throw err;
  }
}`;

let pending: Promise<string> | null = null;

/**
 * Makes sure TF.js gradient functions are registered. The Node build of @tensorflow/tfjs-core
 * (dist/tf-core.node.js) registers none; they live in the union package @tensorflow/tfjs and in
 * tfjs-core's ESM files. The registries are global, so either source serves every copy of tfjs-core.
 * Returns where the gradients came from.
 */
export function ensureGradients(): Promise<string> {
  pending ??= loadGradients();
  return pending;
}

async function loadGradients(): Promise<string> {
  if (tf.getGradient(tf.Conv2D) != null) return 'already registered';
  try {
    require('@tensorflow/tfjs');
    if (tf.getGradient(tf.Conv2D) != null) return '@tensorflow/tfjs';
  } catch {
    // not a dependency here: fall through to the ESM files
  }
  register(`data:text/javascript,${encodeURIComponent(EXTENSIONLESS_HOOK)}`);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
  if (tf.getGradient(tf.Conv2D) == null) {
    throw new Error('TF.js gradients could not be registered (@tensorflow/tfjs-core/dist/register_all_gradients.js)');
  }
  return '@tensorflow/tfjs-core/dist/register_all_gradients.js';
}
