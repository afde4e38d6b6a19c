// @onnx-ddpm/sampler/web: the onnxruntime-web adapter (browsers: WebGPU, else wasm; Node: wasm).
export * from '../index.js';
export * from './ort-web-eps-model.js';
export * from './ort-web-runtime.js';
export { ExecutionProviderError } from '../ort/session.js';
export * from './sample-web.js';
export * from './step-graph.js';
export * from '../io/pixels.js';
