/** Thrown by decodeModel when the bytes are not a readable ONNX ModelProto. */
export class OnnxDecodeError extends Error {
  override name = 'OnnxDecodeError';
}

/** Thrown by encodeModel when a plain object does not fit the ONNX schema (names the field path). */
export class OnnxEncodeError extends Error {
  override name = 'OnnxEncodeError';
}

/** Thrown by GraphBuilder and validateGraph for an ill-formed graph. */
export class OnnxGraphError extends Error {
  override name = 'OnnxGraphError';
}

/** Thrown when tensor data cannot be converted (wrong array type, length, unsupported storage). */
export class OnnxTensorError extends Error {
  override name = 'OnnxTensorError';
}
