/**
 * ε-prediction networks (U-Net, MLP) built from modules that each compute in TF.js (NHWC) and
 * emit their ONNX nodes (NCHW) from the same weights, plus the ONNX export (its self-check against
 * onnxruntime-node is in node.ts).
 */
export {
  defaultMlpConfig,
  defaultUNetConfig,
  type MlpConfig,
  type ModelConfig,
  ModelConfigError,
  type UNetConfig,
  unetTimeDim,
  validateModelConfig,
} from './config.js';
export { type ApplyOptions, createModel, type EpsNet } from './eps-net.js';
export {
  DEFAULT_EXPORT_OPSET,
  type ExportOnnxOptions,
  exportOnnx,
  MAX_EXPORT_OPSET,
  MIN_EXPORT_OPSET,
} from './export.js';
export { transposeArray } from './emitter.js';
export { applyOnnxLayout } from './onnx-layout.js';
// The U-Net's building blocks, for per-block profiling (scripts/bench-train.mjs --profile).
export { Attention } from './modules/attention.js';
export { ConvTranspose2d } from './modules/conv-transpose2d.js';
export { Conv2d } from './modules/conv2d.js';
export { GroupNorm } from './modules/group-norm.js';
export { ResBlock } from './modules/res-block.js';
export { TimeEmbedding } from './modules/time-embedding.js';
