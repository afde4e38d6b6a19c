import { OnnxDecodeError } from './errors.js';
import type { ModelProto } from './types.js';
import { createReader, encodeWire, fromWire, messageType, toWire } from './wire.js';

const modelType = messageType('ModelProto');

/** Serializes a ModelProto to ONNX bytes. Throws OnnxEncodeError naming the first bad field. */
export function encodeModel(model: ModelProto): Uint8Array {
  return encodeWire(modelType, toWire(modelType, model, 'model'));
}

/** Recognizable non-ONNX file formats, checked before protobuf decoding for a clearer message. */
const SIGNATURES: { name: string; bytes: number[] }[] = [
  { name: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { name: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'gzip-compressed data', bytes: [0x1f, 0x8b] },
  { name: 'a zip archive', bytes: [0x50, 0x4b, 0x03, 0x04] },
];

function sniffFormat(bytes: Uint8Array): string | undefined {
  for (const { name, bytes: magic } of SIGNATURES) {
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) return name;
  }
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  // A serialized ModelProto never starts with '{' or '[' (fields 15 and 11 as groups).
  if (bytes[i] === 0x7b || bytes[i] === 0x5b) return 'JSON text';
  return undefined;
}

/**
 * Parses ONNX bytes into a plain ModelProto. Throws OnnxDecodeError ("not an ONNX model: …")
 * for empty, truncated or non-protobuf input, for a few recognizable other formats, and for
 * a message without ir_version or graph. (A cut exactly between two top-level fields after
 * the graph cannot be detected: protobuf has no end marker.)
 */
export function decodeModel(input: Uint8Array | ArrayBuffer): ModelProto {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length === 0) throw new OnnxDecodeError('not an ONNX model: the input is empty (0 bytes)');
  const format = sniffFormat(bytes);
  if (format) throw new OnnxDecodeError(`not an ONNX model: the bytes look like ${format}`);
  let decoded: Record<string, unknown>;
  try {
    decoded = modelType.decode(createReader(bytes)) as unknown as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const truncated = error instanceof RangeError ? 'the data ends early (truncated?)' : 'invalid protobuf data';
    throw new OnnxDecodeError(`not an ONNX model: ${truncated}: ${reason} (${bytes.length} bytes)`);
  }
  const model = fromWire(modelType, decoded) as ModelProto;
  if (model.irVersion === undefined) {
    throw new OnnxDecodeError(`not an ONNX model: ModelProto.ir_version is missing (${bytes.length} bytes)`);
  }
  if (model.graph === undefined) {
    throw new OnnxDecodeError(`not an ONNX model: ModelProto.graph is missing (${bytes.length} bytes)`);
  }
  return model;
}
