/**
 * @onnx-ddpm/onnx — ONNX ModelProto codec on protobufjs, a graph builder and a model reader.
 * Browser-safe: no Node built-ins (the python checker lives in '@onnx-ddpm/onnx/checker').
 */
export { Attr, type AttrValue, makeAttribute } from './attributes.js';
export {
  type BuildOptions,
  DEFAULT_OPSET,
  DEFAULT_PRODUCER,
  GraphBuilder,
  type GraphBuilderOptions,
  irVersionForOpset,
  type NodeOptions,
} from './builder.js';
export { decodeModel, encodeModel } from './codec.js';
export {
  DDPM_IO_NAMES,
  DDPM_METADATA_KEYS,
  type DdpmMetadata,
  DdpmMetadataError,
  describeModelConfig,
  type ReadDdpmMetadata,
  readDdpmMetadata,
  writeDdpmMetadata,
} from './ddpm-contract.js';
export { OnnxDecodeError, OnnxEncodeError, OnnxGraphError, OnnxTensorError } from './errors.js';
export { inspectModel, type ModelSummary, type ValueSummary } from './inspect.js';
export {
  dataTypeCode,
  dataTypeName,
  elementCount,
  FLOAT_DATA_TYPES,
  float16ToFloat32,
  float32ToFloat16,
  fromFloat16Bits,
  makeTensor,
  type TensorData,
  type TensorDataType,
  tensorDataFrom,
  tensorToArray,
  toFloat16Bits,
} from './tensor.js';
export * from './types.js';
export { normalizeDomain, validateGraph, validateModel } from './validate.js';
