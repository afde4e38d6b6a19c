/** What WebGPU offers in this browser: none, a software renderer, or a hardware adapter. */
export interface WebGpuStatus {
  available: boolean;
  /** The adapter renders on the CPU (SwiftShader, llvmpipe, WARP…): wasm is faster there. */
  software: boolean;
  /** "vendor architecture (description)" of the adapter, or why there is none. */
  detail: string;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<AdapterInfoLike>;
}
interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

/** Names of CPU renderers as adapters report them in vendor, architecture or description. */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b|software/i;

/** Classifies an adapter's info: the fallback flag (old and new place) or a known CPU renderer's name. */
export function classifyAdapter(adapter: AdapterLike, info: AdapterInfoLike): WebGpuStatus {
  const names = [info.vendor, info.architecture, info.device].filter((s) => s).join(' ');
  const detail = `${names || 'unnamed adapter'}${info.description ? ` (${info.description})` : ''}`;
  const software = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || SOFTWARE_RENDERERS.test(`${names} ${info.description ?? ''}`);
  return { available: true, software, detail };
}

/** Asks navigator.gpu for an adapter and says what it is. */
export async function describeWebGpu(): Promise<WebGpuStatus> {
  const gpu = (navigator as { gpu?: GpuLike }).gpu;
  if (!gpu) {
    const why = isSecureContext ? 'this browser has no WebGPU (navigator.gpu is missing)' : 'the page is not a secure context (serve it from https or 127.0.0.1)';
    return { available: false, software: false, detail: why };
  }
  let adapter: AdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (err) {
    return { available: false, software: false, detail: `requestAdapter() failed: ${(err as Error).message}` };
  }
  if (!adapter) return { available: false, software: false, detail: 'requestAdapter() found no GPU adapter' };
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  return classifyAdapter(adapter, info);
}
