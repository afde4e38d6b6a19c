import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingKernels } from './training-kernels.js';
import { activateWebgpu } from './webgpu.js';

/** The backends that run wherever JavaScript does (a browser or Node): no native addon. */
export type PortableBackendName = 'webgpu' | 'wasm' | 'cpu';

/** Whether a backend could be made active: its device, or why not (one line). */
export type Attempt = { ok: true; device: string } | { ok: false; reason: string };

/** The first line of an error, at most 160 characters. */
export function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0]!.trim();
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}

async function tryWasm(wasmPaths?: string): Promise<Attempt> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (wasmPaths !== undefined) wasm.setWasmPaths(wasmPaths);
    if (!(await tf.setBackend('wasm'))) return { ok: false, reason: 'wasm backend failed to initialise' };
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = wasm.getThreadsCount();
    return {
      ok: true,
      device: `WebAssembly ${simd ? 'SIMD' : '(no SIMD)'} + XNNPACK, ${threads} thread${threads === 1 ? '' : 's'}`,
    };
  } catch (err) {
    return { ok: false, reason: `wasm not usable: ${shortReason(err)}` };
  }
}

async function tryCpu(): Promise<Attempt> {
  try {
    await import('@tensorflow/tfjs-backend-cpu');
    if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'cpu backend failed to initialise' };
    return { ok: true, device: 'plain JavaScript (1 thread)' };
  } catch (err) {
    return { ok: false, reason: `cpu not usable: ${shortReason(err)}` };
  }
}

async function tryWebgpu(): Promise<Attempt> {
  try {
    const attempt = await activateWebgpu();
    return attempt.ok ? { ok: true, device: attempt.device } : { ok: false, reason: `webgpu not usable: ${attempt.reason}` };
  } catch (err) {
    return { ok: false, reason: `webgpu not usable: ${shortReason(err)}` };
  }
}

/**
 * Makes a portable backend the active one on the shared @tensorflow/tfjs-core (in a browser, or in Node
 * once navigator.gpu is installed for webgpu) and registers our training kernels where it needs them
 * (wasm, cpu; webgpu has all of its own). The caller makes sure gradients are registered (ensureGradients).
 * `wasmPaths`: where a bundled page serves tfjs-backend-wasm's .wasm files (a URL prefix ending in /).
 */
export async function activateBackend(name: PortableBackendName, opts: { wasmPaths?: string } = {}): Promise<Attempt> {
  if (name === 'webgpu') return tryWebgpu();
  const attempt = name === 'wasm' ? await tryWasm(opts.wasmPaths) : await tryCpu();
  if (attempt.ok) registerTrainingKernels(name);
  return attempt;
}
