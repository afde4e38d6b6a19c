/**
 * ε-prediction networks (U-Net, MLP) built from modules that each compute in TF.js (NHWC) and
 * emit their ONNX nodes (NCHW) from the same weights, plus the ONNX export and its parity check.
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
export { checkExportParity, ExportParityError, type ParityOptions } from './parity.js';
