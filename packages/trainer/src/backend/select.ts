import './node-esm-resolve.js';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { activateBackend, type Attempt, shortReason } from './activate.js';
import { ensureGradients } from './gradients.js';
import { adapterLabel } from './webgpu.js';
import { installDawnGpu, probeDawnAdapter } from './webgpu-node.js';

/** Which TF.js backend to train on; `auto` = tfjs-node-gpu, a hardware WebGPU adapter, tfjs-node, wasm, cpu. */
export type BackendPreference = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** The backend now active on the shared @tensorflow/tfjs-core, and why the others were not used. */
export interface BackendChoice {
  name: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
  device: string;
  notes: string[];
}

/** One row of `doctor` output. */
export interface BackendProbe {
  name: string;
  available: boolean;
  detail: string;
  /** WebGPU only: whether the adapter is a software one (auto never trains on it). */
  software?: boolean;
}

/** An explicit backend preference that cannot be honoured here; the message says why. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
}

const require = createRequire(import.meta.url);

/** The libtensorflow bindings: CUDA first. */
const NATIVE_PACKAGES = [
  { pkg: '@tensorflow/tfjs-node-gpu', short: 'tfjs-node-gpu', device: 'libtensorflow (CUDA GPU) via @tensorflow/tfjs-node-gpu' },
  { pkg: '@tensorflow/tfjs-node', short: 'tfjs-node', device: 'libtensorflow (CPU) via @tensorflow/tfjs-node' },
] as const;
type NativePackage = (typeof NATIVE_PACKAGES)[number];

function nativeReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/tfjs_binding\.node/.test(message) && /can ?not be found/i.test(message)) {
    return 'its native addon tfjs_binding.node is missing (libtensorflow was not downloaded at install)';
  }
  return shortReason(err);
}

function isNotInstalled(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'MODULE_NOT_FOUND';
}

/** The binding that registered backend 'tensorflow' in this process, if one did. */
let loadedNative: NativePackage | null = null;

/** Loads one libtensorflow binding; it registers backend 'tensorflow' on the shared tfjs-core. */
function loadNative(entry: NativePackage): Attempt {
  if (loadedNative != null) {
    return loadedNative === entry ? { ok: true, device: entry.device } : { ok: false, reason: `${loadedNative.short} is already loaded` };
  }
  try {
    require.resolve(entry.pkg);
  } catch (err) {
    if (isNotInstalled(err)) return { ok: false, reason: `${entry.short} not installed` };
  }
  try {
    require(entry.pkg);
  } catch (err) {
    const hint = entry.short === 'tfjs-node-gpu' ? '; run pnpm setup:gpu' : '';
    return { ok: false, reason: `${entry.short} not usable: ${nativeReason(err)}${hint}` };
  }
  if (tf.findBackend('tensorflow') == null) {
    return {
      ok: false,
      reason: `${entry.short} loaded but registered 'tensorflow' on a different @tensorflow/tfjs-core copy (reinstall so both resolve the same 4.22.0)`,
    };
  }
  loadedNative = entry;
  return { ok: true, device: entry.device };
}

async function activateNative(entry: NativePackage): Promise<Attempt> {
  const attempt = loadNative(entry);
  if (!attempt.ok) return attempt;
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: 'tensorflow backend failed to initialise' };
  return attempt;
}

/** WebGPU through Dawn; `hardwareOnly` (auto) refuses a software adapter such as SwiftShader. */
async function activateDawn(hardwareOnly: boolean): Promise<Attempt> {
  const dawn = await installDawnGpu();
  if (!dawn.ok) return { ok: false, reason: `webgpu: ${dawn.reason}` };
  if (hardwareOnly && dawn.adapter.software) {
    return { ok: false, reason: `webgpu: only a software adapter, ${adapterLabel(dawn.adapter)} (--backend webgpu trains on it)` };
  }
  return activateBackend('webgpu');
}

interface Candidate {
  name: BackendChoice['name'];
  activate(): Promise<Attempt>;
}

const tfjsNodeGpu: Candidate = { name: 'tensorflow', activate: () => activateNative(NATIVE_PACKAGES[0]) };
const tfjsNode: Candidate = { name: 'tensorflow', activate: () => activateNative(NATIVE_PACKAGES[1]) };
const portable = (name: 'wasm' | 'cpu'): Candidate => ({ name, activate: () => activateBackend(name) });

function candidates(pref: BackendPreference): Candidate[] {
  switch (pref) {
    case 'auto':
      return [tfjsNodeGpu, { name: 'webgpu', activate: () => activateDawn(true) }, tfjsNode, portable('wasm'), portable('cpu')];
    case 'tensorflow':
      return [tfjsNodeGpu, tfjsNode];
    case 'webgpu':
      return [{ name: 'webgpu', activate: () => activateDawn(false) }];
    case 'wasm':
    case 'cpu':
      return [portable(pref)];
    default:
      throw new Error(`backend: unknown preference ${JSON.stringify(pref)} (expected ${BACKEND_PREFERENCES.join(', ')})`);
  }
}

const WASM_THREADS_NOTE =
  'wasm runs single-threaded in Node (the threaded build needs blob: URL workers that worker_threads cannot load); use data-parallel workers for more cores';

/**
 * Makes `pref` the active backend of the shared @tensorflow/tfjs-core (so tf.getBackend() in every
 * module sees it), makes sure TF.js gradients are registered, and on wasm/cpu registers our training
 * kernels (Conv2DBackpropFilter etc.). `auto` tries tfjs-node-gpu (CUDA), WebGPU on a hardware adapter,
 * tfjs-node, wasm, cpu in that order and notes in one line why it skipped each.
 * A preference that cannot be honoured throws a BackendUnavailableError that says why.
 */
export async function selectBackend(pref: BackendPreference, log?: (line: string) => void): Promise<BackendChoice> {
  const order = candidates(pref);
  await ensureGradients();
  const notes: string[] = [];
  for (const candidate of order) {
    const attempt = await candidate.activate();
    if (!attempt.ok) {
      notes.push(pref === 'auto' ? `skipped ${attempt.reason}` : attempt.reason);
      continue;
    }
    if (candidate.name === 'wasm') notes.push(WASM_THREADS_NOTE);
    const choice: BackendChoice = { name: candidate.name, device: attempt.device, notes };
    if (log) {
      log(`backend: ${candidate.name} (${attempt.device})`);
      for (const note of notes) log(`  ${note}`);
    }
    return choice;
  }
  throw new BackendUnavailableError(`backend: ${pref} is not available: ${notes.join('; ')}`);
}

/** Availability of every backend, for `doctor`. Leaves the active backend as it was. */
export async function probeBackends(): Promise<BackendProbe[]> {
  const previous = tf.engine().backendName;
  const rows: BackendProbe[] = [];
  for (const entry of NATIVE_PACKAGES) {
    const attempt = loadNative(entry);
    rows.push({ name: `tensorflow (${entry.short})`, available: attempt.ok, detail: attempt.ok ? attempt.device : attempt.reason });
  }
  const dawn = await probeDawnAdapter();
  const via = dawn.ok && dawn.viaSwiftShader ? ' via SwiftShader (onnx-ddpm re-runs itself with its Vulkan ICD)' : '';
  rows.push(
    dawn.ok
      ? {
          name: 'webgpu (Dawn)',
          available: true,
          software: dawn.adapter.software,
          detail: `${adapterLabel(dawn.adapter)}${via}${dawn.adapter.software ? '; --backend webgpu trains on it, auto does not' : ''}`,
        }
      : { name: 'webgpu (Dawn)', available: false, detail: dawn.reason },
  );
  for (const name of ['wasm', 'cpu'] as const) {
    const attempt = await activateBackend(name);
    rows.push({ name, available: attempt.ok, detail: attempt.ok ? attempt.device : attempt.reason });
  }
  if (previous != null && previous !== tf.getBackend()) await tf.setBackend(previous);
  return rows;
}
