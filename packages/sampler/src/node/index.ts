// @onnx-ddpm/sampler/node: Node-only parts (onnxruntime-node adapter, model files, image output).
export * from '../index.js';
export * from '../io/image-grid.js';
export * from '../io/image-read.js';
export * from '../io/image-strip.js';
export * from '../io/scatter.js';
export * from '../io/trajectory-strip.js';
export * from './model-source.js';
export * from './ort-eps-model.js';
export * from './ort-execution-providers.js';
export { ExecutionProviderError } from '../ort/session.js';
export * from '../io/model-flops.js';
export * from '../io/model-flops-node.js';
export * from '../io/matmul-bench-node.js';
export * from './runtime-versions.js';
