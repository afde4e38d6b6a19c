/**
 * ε-prediction networks (U-Net, MLP) built from modules that each compute in TF.js (NHWC) and
 * emit their ONNX nodes (NCHW) from the same weights, plus the ONNX export (its parity check against
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
  modelConfigMetadata,
  ONNX_IO_NAMES,
  ONNX_METADATA_KEYS,
} from './export.js';
