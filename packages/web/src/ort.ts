import { loadOrtWeb, type OrtWebModule } from '@onnx-ddpm/sampler/web';

/** Where the build puts onnxruntime-web's native-WebGPU build and its wasm (see vite.config.mjs). */
const ORT_DIR = 'ort/';

/**
 * onnxruntime-web, loaded from the copy served beside the page (not bundled: its wasm threads
 * load the ORT module itself in workers). Threads need cross-origin isolation (`pnpm serve`).
 */
export async function loadOrt(): Promise<OrtWebModule> {
  const base = new URL(ORT_DIR, document.baseURI).href;
  const ort = await loadOrtWeb(`${base}ort.webgpu.min.mjs`);
  ort.env.wasm.wasmPaths = base;
  ort.env.wasm.numThreads = crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  ort.env.logLevel = 'error';
  return ort;
}
