// @onnx-ddpm/sampler/web: the onnxruntime-web adapter (browsers: WebGPU, else wasm; Node: wasm).
export * from '../index.js';
export { blankRaster, blit, defaultScale, type ImageGridOptions, imageGridRaster, itemToRaster, type Raster } from '../io/pixels.js';
export { SAMPLE_COLOR } from '../io/scatter-svg.js';
export { ExecutionProviderError } from '../ort/session.js';
export { OrtWebDenoiser, type OrtWebDenoiserOptions } from './ort-web-denoiser.js';
export { loadOrtWeb, type OrtWebModule, type WebExecutionProvider, webGpuUnavailableReason } from './ort-web-runtime.js';
export { sampleOnDevice, sampleOrt as sampleWeb } from '../ort/sample-on-device.js';
