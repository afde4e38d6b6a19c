import type * as OrtWeb from 'onnxruntime-web';
import type { ProviderTable } from '../ort/session.js';

/** onnxruntime-web's module namespace (the WebGPU build in browsers, the wasm-only Node build in Node). */
export type OrtWebModule = typeof OrtWeb;

/** Execution providers of onnxruntime-web that the web adapter uses, in preference order. */
export const WEB_EXECUTION_PROVIDERS = ['webgpu', 'wasm'] as const;
export type WebExecutionProvider = (typeof WEB_EXECUTION_PROVIDERS)[number];

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

let loaded: Promise<OrtWebModule> | null = null;

/**
 * Loads onnxruntime-web once. In Node: the package's Node build (wasm EP only), whose wasm files
 * sit next to it. In a browser: the native-WebGPU build (which also has the wasm EP) from
 * `moduleUrl` — the URL where the page serves `ort.webgpu.min.mjs` with its
 * `ort-wasm-simd-threaded.asyncify.{mjs,wasm}` beside it — or the bare specifier
 * `onnxruntime-web/webgpu` for an import map. Specifiers are opaque to bundlers on purpose:
 * bundling ORT breaks its wasm worker threads, which load the ORT module itself.
 */
export function loadOrtWeb(moduleUrl?: string): Promise<OrtWebModule> {
  if (!loaded) {
    const specifier = isNode ? 'onnxruntime-web' : (moduleUrl ?? 'onnxruntime-web/webgpu');
    loaded = import(/* @vite-ignore */ specifier) as Promise<OrtWebModule>;
    loaded.catch(() => {
      loaded = null;
    });
  }
  return loaded;
}

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** Why WebGPU cannot run here, or null when an adapter is available. */
export async function webGpuUnavailableReason(): Promise<string | null> {
  if (isNode) return "onnxruntime-web's Node build has no WebGPU EP";
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) {
    const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
    return secure === false
      ? 'this page is not a secure context (serve it from https or http://127.0.0.1), so navigator.gpu is missing'
      : 'this browser has no WebGPU (navigator.gpu is missing)';
  }
  try {
    if (!(await gpu.requestAdapter())) return 'navigator.gpu.requestAdapter() found no GPU adapter';
  } catch (err) {
    return `navigator.gpu.requestAdapter() failed: ${(err as Error).message}`;
  }
  return null;
}

/** onnxruntime-web's providers for the shared ORT adapter: WebGPU is skipped with a reason when there is no adapter. */
export const WEB_PROVIDERS: ProviderTable<WebExecutionProvider> = {
  runtime: 'onnxruntime-web',
  baseline: 'wasm',
  unavailableReason: (ep) => (ep === 'webgpu' ? webGpuUnavailableReason() : null),
};
