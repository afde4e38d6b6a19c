import protobuf from 'protobufjs';
import { OnnxEncodeError } from './errors.js';
import { ONNX_PROTO_SUBSET } from './schema.js';

const root = protobuf.parse(ONNX_PROTO_SUBSET, { keepCase: false }).root;
root.resolveAll();

/** Names of the onnx messages that can be encoded or decoded on their own. */
export type MessageName = 'ModelProto' | 'GraphProto' | 'NodeProto' | 'TensorProto' | 'AttributeProto';

/** The protobufjs reflection type of an onnx message. */
export function messageType(name: MessageName): protobuf.Type {
  return root.lookupType(`onnx.${name}`);
}

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32_TYPES = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32_TYPES = new Set(['uint32', 'fixed32']);
const INT64_MIN = -(2n ** 63n);
const UINT64_END = 2n ** 64n;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Converts a plain object into protobufjs' wire form, checking every field (path in errors). */
export function toWire(type: protobuf.Type, value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new OnnxEncodeError(`${path}: expected a ${type.name} object, got ${describe(value)}`);
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const item = source[key];
    if (item === undefined || item === null) continue;
    const field = type.fields[key];
    const fieldPath = `${path}.${key}`;
    if (!field) throw new OnnxEncodeError(`${fieldPath}: ${type.name} has no field "${key}"`);
    if (field.repeated) {
      if (!Array.isArray(item) && !ArrayBuffer.isView(item)) {
        throw new OnnxEncodeError(`${fieldPath}: expected an array, got ${describe(item)}`);
      }
      const values = Array.from(item as ArrayLike<unknown>, (v, i) => toWireValue(field, v, `${fieldPath}[${i}]`));
      if (values.length > 0) out[key] = values;
    } else {
      out[key] = toWireValue(field, item, fieldPath);
    }
  }
  return out;
}

function toWireValue(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return toWire(resolved, value, path);
  const kind = resolved instanceof protobuf.Enum ? 'int32' : field.type;
  if (LONG_TYPES.has(kind)) return toWireLong(value, kind.startsWith('u') || kind === 'fixed64', path);
  switch (kind) {
    case 'float':
    case 'double':
      if (typeof value !== 'number') throw new OnnxEncodeError(`${path}: expected a number, got ${describe(value)}`);
      return value;
    case 'string':
      if (typeof value !== 'string') throw new OnnxEncodeError(`${path}: expected a string, got ${describe(value)}`);
      return value;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw new OnnxEncodeError(`${path}: expected a Uint8Array, got ${describe(value)}`);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new OnnxEncodeError(`${path}: expected a boolean, got ${describe(value)}`);
      return value;
  }
  const [min, max] = INT32_TYPES.has(kind) ? [-(2 ** 31), 2 ** 31 - 1] : UINT32_TYPES.has(kind) ? [0, 2 ** 32 - 1] : [];
  if (min === undefined || max === undefined) throw new OnnxEncodeError(`${path}: unsupported field type ${kind}`);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new OnnxEncodeError(`${path}: expected an integer in [${min}, ${max}], got ${describe(value)}`);
  }
  return value;
}

/** A protobufjs/long.js `Long` (or any { low, high } pair of 32-bit halves). */
function isLongLike(value: unknown): value is { low: number; high: number } {
  const v = value as { low?: unknown; high?: unknown } | null;
  return typeof v === 'object' && v !== null && Number.isInteger(v.low) && Number.isInteger(v.high);
}

function toWireLong(value: unknown, unsigned: boolean, path: string): unknown {
  const range = unsigned ? '[0, 2^64)' : '[-2^63, 2^63)';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || (unsigned && value < 0)) {
      throw new OnnxEncodeError(`${path}: expected a safe integer or a bigint in ${range}, got ${describe(value)}`);
    }
    return value;
  }
  if (isLongLike(value)) return { low: value.low | 0, high: value.high | 0, unsigned };
  if (typeof value !== 'bigint') throw new OnnxEncodeError(`${path}: expected an integer, got ${describe(value)}`);
  const inRange = unsigned ? value >= 0n && value < UINT64_END : value >= INT64_MIN && value < -INT64_MIN;
  if (!inRange) throw new OnnxEncodeError(`${path}: ${value} is outside ${range}`);
  // protobufjs' writer takes 64-bit values as { low, high } 32-bit halves (two's complement).
  const bits = BigInt.asUintN(64, value);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned };
}

/** Converts a message decoded by protobufjs into a plain object: present fields only, bytes copied. */
export function fromWire(type: protobuf.Type, message: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (!Object.hasOwn(message, field.name)) continue;
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    if (field.repeated) {
      const items = value as unknown[];
      if (items.length > 0) out[field.name] = items.map((v) => fromWireValue(field, v));
    } else {
      out[field.name] = fromWireValue(field, value);
    }
  }
  return out;
}

function fromWireValue(field: protobuf.Field, value: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type) {
    return fromWire(field.resolvedType, value as Record<string, unknown>);
  }
  // Copy so that the decoded model owns its bytes (aligned, independent of the input buffer).
  if (value instanceof Uint8Array) return new Uint8Array(value);
  return value;
}

function outOfRange(reader: protobuf.Reader): RangeError {
  return new RangeError(`index out of range: ${reader.pos} + 1 > ${reader.len}`);
}

/** Reads a 64-bit varint exactly: a number when it is a safe integer, a bigint otherwise. */
function readVarint64(reader: protobuf.Reader, signed: boolean): number | bigint {
  const { buf, len } = reader;
  let pos = reader.pos;
  // Up to 7 bytes (49 bits) the value is exact as a double.
  let small = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    if (pos >= len) throw outOfRange(reader);
    const byte = buf[pos++]!;
    small += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      reader.pos = pos;
      return small;
    }
    scale *= 128;
  }
  let big = BigInt(small);
  for (let shift = 49n; shift < 70n; shift += 7n) {
    if (pos >= len) throw outOfRange(reader);
    const byte = buf[pos++]!;
    big |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) {
      reader.pos = pos;
      const value = signed ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big);
      const asNumber = Number(value);
      return Number.isSafeInteger(asNumber) ? asNumber : value;
    }
  }
  throw new Error(`invalid varint encoding at offset ${reader.pos}`);
}

/**
 * A protobufjs reader whose int64/uint64 reads are exact in every environment (protobufjs
 * alone returns Long objects in Node and rounded numbers in browsers without `long`).
 */
export function createReader(bytes: Uint8Array): protobuf.Reader {
  const reader = new protobuf.Reader(bytes);
  return Object.assign(reader, {
    int64: () => readVarint64(reader, true),
    uint64: () => readVarint64(reader, false),
  });
}

/** Encodes a wire-form message into a Uint8Array that owns exactly its bytes (no shared pool slab). */
export function encodeWire(type: protobuf.Type, wire: Record<string, unknown>): Uint8Array {
  // The plain Writer yields a Uint8Array (BufferWriter would yield a Node Buffer); large outputs are
  // freshly allocated and returned as is, small ones come from a shared slab and are copied out.
  const bytes = type.encode(wire, new protobuf.Writer()).finish();
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
