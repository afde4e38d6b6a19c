import { register } from 'node:module';

/**
 * A Node resolve hook for tfjs-core's ESM files (dist/*.js), which import each other without file
 * extensions: retries such a relative specifier with '.js' appended. Registered once, on import, so
 * that ensureGradients() can load tfjs-core's gradient registrations in Node as a bundler would.
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

const KEY = Symbol.for('onnx-ddpm.trainer.tfjs-core-esm-resolve');
const flags = globalThis as { [KEY]?: boolean };
if (!flags[KEY]) {
  register(`data:text/javascript,${encodeURIComponent(EXTENSIONLESS_HOOK)}`);
  flags[KEY] = true;
}
