import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { shortReason } from './activate.js';
import { navigatorGpu, requestWebgpuAdapter, summarizeAdapter, type WebgpuAdapterSummary } from './webgpu.js';

/** Debian's Chromium ships SwiftShader's Vulkan driver and a Vulkan loader; Dawn can use both. */
export const SWIFTSHADER_ENV = {
  LD_LIBRARY_PATH: '/usr/lib/chromium',
  VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
} as const;

/** Where distributions put the Vulkan loader that Dawn dlopens. */
const LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];

type DawnGpu = NonNullable<ReturnType<typeof navigatorGpu>>;

/** The adapter Dawn found in this process, or why none. */
export type DawnAdapter = { ok: true; adapter: WebgpuAdapterSummary } | { ok: false; reason: string };

let installed: Promise<DawnAdapter> | null = null;

/**
 * Loads Dawn's Node bindings (npm package `webgpu`), installs its WebGPU globals and navigator.gpu (what
 * TF.js's webgpu backend reads), and asks for an adapter. Once per process.
 */
export function installDawnGpu(): Promise<DawnAdapter> {
  installed ??= install();
  return installed;
}

async function install(): Promise<DawnAdapter> {
  const hint = swiftshaderRelaunchEnv() ? '; SwiftShader is installed: onnx-ddpm train --backend webgpu re-runs itself on it' : '';
  if (navigatorGpu() == null && !vulkanLoaderFound()) {
    // Dawn would only print a warning: it has no Vulkan to load.
    return { ok: false, reason: `no Vulkan loader (libvulkan.so.1) for Dawn, so no WebGPU adapter${hint}` };
  }
  if (navigatorGpu() == null) {
    let dawn: { create(flags: string[]): DawnGpu; globals: Record<string, unknown> };
    try {
      dawn = (await import('webgpu')) as unknown as typeof dawn;
    } catch (err) {
      return { ok: false, reason: `Dawn's Node bindings (npm package webgpu) did not load: ${shortReason(err)}` };
    }
    const g = globalThis as unknown as Record<string, unknown> & { navigator?: Record<string, unknown> };
    for (const [name, value] of Object.entries(dawn.globals)) g[name] ??= value;
    const gpu = dawn.create([]);
    if (g.navigator == null) g.navigator = {};
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
  const adapter = await requestWebgpuAdapter();
  if (adapter == null) {
    return { ok: false, reason: `Dawn found no WebGPU adapter (no Vulkan, Metal or D3D12 driver)${hint}` };
  }
  return { ok: true, adapter };
}

/** Whether this process's dynamic loader can find a Vulkan loader (libvulkan.so.1) for Dawn. */
function vulkanLoaderFound(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(delimiter).filter((d) => d !== ''), ...LOADER_DIRS];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/**
 * The environment under which Dawn finds SwiftShader (the Vulkan loader and ICD read it at process
 * start, so it needs a new process), or null where that is not installed or already in effect.
 */
export function swiftshaderRelaunchEnv(): NodeJS.ProcessEnv | null {
  if (!existsSync(SWIFTSHADER_ENV.VK_ICD_FILENAMES) || process.env.VK_ICD_FILENAMES === SWIFTSHADER_ENV.VK_ICD_FILENAMES) return null;
  const ldPath = [SWIFTSHADER_ENV.LD_LIBRARY_PATH, process.env.LD_LIBRARY_PATH].filter((p) => p != null && p !== '').join(delimiter);
  return { ...process.env, LD_LIBRARY_PATH: ldPath, VK_ICD_FILENAMES: SWIFTSHADER_ENV.VK_ICD_FILENAMES };
}

/**
 * For a process about to use WebGPU: the environment to re-run it under so that Dawn finds SwiftShader,
 * or null when Dawn finds an adapter as things are (or SwiftShader is not installed). Asks Dawn only
 * where a Vulkan loader exists (without one Dawn has nothing to find and prints a warning).
 */
export async function webgpuRelaunchEnv(): Promise<NodeJS.ProcessEnv | null> {
  const env = swiftshaderRelaunchEnv();
  if (env == null) return null;
  if (!vulkanLoaderFound()) return env;
  return (await installDawnGpu()).ok ? null : env;
}

/** Prints Dawn's high-performance adapter's info as JSON (null when none); run in a child process. */
const ADAPTER_PROBE = `
const { create } = await import(process.argv[1]);
const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const i = a?.info;
process.stdout.write(JSON.stringify(a ? { isFallbackAdapter: a.isFallbackAdapter, info: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter } } : null));
process.exit(0);`;

/**
 * The adapter `--backend webgpu` trains on: Dawn's in this process, or where it finds none and the
 * onnx-ddpm command would re-run itself on SwiftShader, the adapter a child process started that way
 * finds (`viaSwiftShader`). For `doctor`; leaves this process's navigator.gpu as it was.
 */
export async function probeDawnAdapter(): Promise<DawnAdapter & { viaSwiftShader?: boolean }> {
  const env = swiftshaderRelaunchEnv();
  if (env == null || vulkanLoaderFound()) {
    const here = await installDawnGpu();
    if (here.ok || env == null) return here;
  }
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', ADAPTER_PROBE, import.meta.resolve('webgpu')], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.status !== 0) return { ok: false, reason: `the SwiftShader probe failed: ${shortReason(child.stderr || child.error)}` };
  const adapter = JSON.parse(child.stdout) as Parameters<typeof summarizeAdapter>[0] | null;
  if (adapter == null) return { ok: false, reason: `Dawn found no adapter, not even SwiftShader (${SWIFTSHADER_ENV.VK_ICD_FILENAMES})` };
  return { ok: true, adapter: summarizeAdapter(adapter), viaSwiftShader: true };
}

/** Drops the webgpu backend and navigator.gpu, which keep Node's event loop alive otherwise. */
export function releaseWebgpu(): void {
  if (tf.findBackend('webgpu') != null) tf.removeBackend('webgpu');
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav?.gpu != null) delete nav.gpu;
  installed = null;
}
