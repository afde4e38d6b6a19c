import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from './gradients.js';
import { registerTrainingKernels } from './training-kernels.js';

/** Which TF.js backend to train on; `auto` = tensorflow (CUDA, then CPU libtensorflow), wasm, cpu. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** The backend now active on the shared @tensorflow/tfjs-core, and why the others were not used. */
export interface BackendChoice {
  name: 'tensorflow' | 'wasm' | 'cpu';
  device: string;
  notes: string[];
}

/** One row of `doctor` output. */
export interface BackendProbe {
  name: string;
  available: boolean;
  detail: string;
}

type Attempt = { ok: true; device: string } | { ok: false; reason: string };

const require = createRequire(import.meta.url);

/** The libtensorflow bindings, in preference order: CUDA first. */
const NATIVE_PACKAGES = [
  { pkg: '@tensorflow/tfjs-node-gpu', short: 'tfjs-node-gpu', device: 'libtensorflow (CUDA GPU) via @tensorflow/tfjs-node-gpu' },
  { pkg: '@tensorflow/tfjs-node', short: 'tfjs-node', device: 'libtensorflow (CPU) via @tensorflow/tfjs-node' },
] as const;

function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/tfjs_binding\.node/.test(message) && /can ?not be found/i.test(message)) {
    return 'its native addon tfjs_binding.node is missing (libtensorflow was not downloaded at install)';
  }
  const first = message.split('\n')[0]!.trim();
  return first.length > 160 ? `${first.slice(0, 157)}...` : first;
}

function isNotInstalled(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'MODULE_NOT_FOUND';
}

/** Loads one libtensorflow binding; it registers backend 'tensorflow' on the shared tfjs-core. */
function tryNative(entry: (typeof NATIVE_PACKAGES)[number]): Attempt {
  if (tf.findBackend('tensorflow') != null) return { ok: true, device: entry.device };
  try {
    require.resolve(entry.pkg);
  } catch (err) {
    if (isNotInstalled(err)) return { ok: false, reason: `${entry.short} not installed` };
  }
  try {
    require(entry.pkg);
  } catch (err) {
    const hint = entry.short === 'tfjs-node-gpu' ? '; run pnpm setup:gpu' : '';
    return { ok: false, reason: `${entry.short} not usable: ${shortReason(err)}${hint}` };
  }
  if (tf.findBackend('tensorflow') == null) {
    return {
      ok: false,
      reason: `${entry.short} loaded but registered 'tensorflow' on a different @tensorflow/tfjs-core copy (reinstall so both resolve the same 4.22.0)`,
    };
  }
  return { ok: true, device: entry.device };
}

let nativeResult: { attempt: Attempt; notes: string[] } | null = null;

function tryTensorflow(): { attempt: Attempt; notes: string[] } {
  if (nativeResult?.attempt.ok) return nativeResult;
  const notes: string[] = [];
  for (const entry of NATIVE_PACKAGES) {
    const attempt = tryNative(entry);
    if (attempt.ok) {
      nativeResult = { attempt, notes };
      return nativeResult;
    }
    notes.push(attempt.reason);
  }
  nativeResult = { attempt: { ok: false, reason: notes.join('; ') }, notes };
  return nativeResult;
}

async function tryWasm(): Promise<Attempt> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
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

const WASM_THREADS_NOTE =
  'wasm runs single-threaded in Node (the threaded build needs blob: URL workers that worker_threads cannot load); use data-parallel workers for more cores';

async function activate(name: BackendChoice['name']): Promise<Attempt> {
  if (name === 'tensorflow') {
    const { attempt } = tryTensorflow();
    if (!attempt.ok) return attempt;
    if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: 'tensorflow backend failed to initialise' };
    return attempt;
  }
  const attempt = name === 'wasm' ? await tryWasm() : await tryCpu();
  if (attempt.ok) registerTrainingKernels(name);
  return attempt;
}

/**
 * Makes `pref` the active backend of the shared @tensorflow/tfjs-core (so tf.getBackend() in every
 * module sees it), makes sure TF.js gradients are registered, and on wasm/cpu registers our training
 * kernels (Conv2DBackpropFilter etc.).
 * `auto` tries tensorflow (tfjs-node-gpu, then tfjs-node), wasm, cpu in that order.
 * An explicit preference that cannot be honoured throws an Error that says why.
 */
export async function selectBackend(pref: BackendPreference, log?: (line: string) => void): Promise<BackendChoice> {
  const order: BackendChoice['name'][] = pref === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [pref];
  if (!order.every((n) => n === 'tensorflow' || n === 'wasm' || n === 'cpu')) {
    throw new Error(`backend: unknown preference ${JSON.stringify(pref)} (expected auto, tensorflow, wasm or cpu)`);
  }
  await ensureGradients();
  const notes: string[] = [];
  for (const name of order) {
    const attempt = await activate(name);
    if (name === 'tensorflow') notes.push(...tryTensorflow().notes);
    else if (!attempt.ok) notes.push(attempt.reason);
    if (attempt.ok) {
      if (name === 'wasm') notes.push(WASM_THREADS_NOTE);
      const choice: BackendChoice = { name, device: attempt.device, notes };
      if (log) {
        log(`backend: ${name} (${attempt.device})`);
        for (const note of notes) log(`  ${note}`);
      }
      return choice;
    }
  }
  throw new Error(`backend: ${pref} is not available: ${notes.join('; ')}`);
}

/** Availability of every backend, for `doctor`. Leaves the active backend as it was. */
export async function probeBackends(): Promise<BackendProbe[]> {
  const previous = tf.engine().backendName;
  const rows: BackendProbe[] = [];
  for (const entry of NATIVE_PACKAGES) {
    const attempt = tryNative(entry);
    rows.push({ name: `tensorflow (${entry.short})`, available: attempt.ok, detail: attempt.ok ? attempt.device : attempt.reason });
  }
  for (const name of ['wasm', 'cpu'] as const) {
    const attempt = name === 'wasm' ? await tryWasm() : await tryCpu();
    rows.push({ name, available: attempt.ok, detail: attempt.ok ? attempt.device : attempt.reason });
  }
  if (previous != null && previous !== tf.getBackend()) await tf.setBackend(previous);
  return rows;
}
