import * as tf from '@tensorflow/tfjs-core';

/** The parts of a WebGPU adapter (navigator.gpu's or Dawn's) that say what it is. */
export interface WebgpuAdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly info?: {
    readonly vendor?: string;
    readonly architecture?: string;
    readonly device?: string;
    readonly description?: string;
    readonly isFallbackAdapter?: boolean;
  };
}

/** A WebGPU adapter as `doctor` and backend selection describe it. */
export interface WebgpuAdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation (SwiftShader, lavapipe/llvmpipe, WARP, or a fallback adapter): `auto` never trains on it. */
  software: boolean;
}

/** Names of the CPU implementations of Vulkan / D3D12 that report themselves as adapters. */
const SOFTWARE_ADAPTER = /swiftshader|lavapipe|llvmpipe|softpipe|microsoft basic render|\bwarp\b/i;

export function summarizeAdapter(adapter: WebgpuAdapterLike): WebgpuAdapterSummary {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = [info.device, info.description].filter((s) => s != null && s !== '').join(' ');
  const software =
    adapter.isFallbackAdapter === true ||
    info.isFallbackAdapter === true ||
    SOFTWARE_ADAPTER.test(`${vendor} ${architecture} ${description}`);
  return { vendor, architecture, description, software };
}

/** "google swiftshader (software)" and the like. */
export function adapterLabel(a: WebgpuAdapterSummary): string {
  const name = [a.vendor, a.architecture, a.description].filter((s) => s !== '').join(' ') || 'unnamed adapter';
  return a.software ? `${name} (software)` : name;
}

interface NavigatorWithGpu {
  gpu?: { requestAdapter(options?: { powerPreference?: string }): Promise<WebgpuAdapterLike | null> };
}

/** navigator.gpu where it exists (a browser, or Node after installDawnGpu). */
export function navigatorGpu(): NavigatorWithGpu['gpu'] | undefined {
  return (globalThis as { navigator?: NavigatorWithGpu }).navigator?.gpu;
}

/** The adapter TF.js's webgpu backend will use (it asks for high-performance), or null. */
export async function requestWebgpuAdapter(): Promise<WebgpuAdapterSummary | null> {
  const adapter = await navigatorGpu()?.requestAdapter({ powerPreference: 'high-performance' });
  return adapter ? summarizeAdapter(adapter) : null;
}

/**
 * Makes TF.js's webgpu backend the active one. TF.js registers that backend only if navigator.gpu exists
 * when @tensorflow/tfjs-backend-webgpu is first imported, so that import happens here, after the check.
 */
export async function activateWebgpu(): Promise<{ ok: true; device: string; adapter: WebgpuAdapterSummary } | { ok: false; reason: string }> {
  if (navigatorGpu() == null) return { ok: false, reason: 'no navigator.gpu (this runtime has no WebGPU)' };
  const adapter = await requestWebgpuAdapter();
  if (adapter == null) return { ok: false, reason: 'navigator.gpu found no adapter' };
  await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu') == null) {
    return { ok: false, reason: '@tensorflow/tfjs-backend-webgpu was imported before navigator.gpu existed, so it registered no backend' };
  }
  if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: 'webgpu backend failed to initialise' };
  return { ok: true, device: `WebGPU on ${adapterLabel(adapter)}`, adapter };
}
