import { OnnxTensorError } from './errors.js';
import { DataType, type TensorProto } from './types.js';

/** Element types by the names ONNX Runtime's JS APIs use. */
export type TensorDataType =
  | 'float32'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'string'
  | 'bool'
  | 'float16'
  | 'float64'
  | 'uint32'
  | 'uint64'
  | 'complex64'
  | 'complex128'
  | 'bfloat16';

/** Typed arrays holding tensor elements; float16/bfloat16 as raw bits in Uint16Array, bool as 0/1 in Uint8Array. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type TensorArrayConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** How one element type is held: its ONNX code, array type, and array entries per element. */
interface Storage {
  code: number;
  array?: TensorArrayConstructor;
  perElement: number;
  /** The typed TensorProto field that holds the values when raw_data is not used. */
  field?: 'floatData' | 'doubleData' | 'int32Data' | 'int64Data' | 'uint64Data';
}

const STORAGE: Record<TensorDataType, Storage> = {
  float32: { code: DataType.FLOAT, array: Float32Array, perElement: 1, field: 'floatData' },
  uint8: { code: DataType.UINT8, array: Uint8Array, perElement: 1, field: 'int32Data' },
  int8: { code: DataType.INT8, array: Int8Array, perElement: 1, field: 'int32Data' },
  uint16: { code: DataType.UINT16, array: Uint16Array, perElement: 1, field: 'int32Data' },
  int16: { code: DataType.INT16, array: Int16Array, perElement: 1, field: 'int32Data' },
  int32: { code: DataType.INT32, array: Int32Array, perElement: 1, field: 'int32Data' },
  int64: { code: DataType.INT64, array: BigInt64Array, perElement: 1, field: 'int64Data' },
  string: { code: DataType.STRING, perElement: 1 },
  bool: { code: DataType.BOOL, array: Uint8Array, perElement: 1, field: 'int32Data' },
  float16: { code: DataType.FLOAT16, array: Uint16Array, perElement: 1, field: 'int32Data' },
  float64: { code: DataType.DOUBLE, array: Float64Array, perElement: 1, field: 'doubleData' },
  uint32: { code: DataType.UINT32, array: Uint32Array, perElement: 1, field: 'uint64Data' },
  uint64: { code: DataType.UINT64, array: BigUint64Array, perElement: 1, field: 'uint64Data' },
  complex64: { code: DataType.COMPLEX64, array: Float32Array, perElement: 2, field: 'floatData' },
  complex128: { code: DataType.COMPLEX128, array: Float64Array, perElement: 2, field: 'doubleData' },
  bfloat16: { code: DataType.BFLOAT16, array: Uint16Array, perElement: 1, field: 'int32Data' },
};

const NAMES_BY_CODE = new Map<number, TensorDataType>(
  (Object.keys(STORAGE) as TensorDataType[]).map((name) => [STORAGE[name].code, name]),
);

/** Floating-point element types (used for parameter counts). */
export const FLOAT_DATA_TYPES: ReadonlySet<TensorDataType> = new Set(['float32', 'float16', 'bfloat16', 'float64']);

/** The TensorProto.DataType code of an element type name. */
export function dataTypeCode(dtype: TensorDataType): number {
  const storage = STORAGE[dtype];
  if (!storage) throw new OnnxTensorError(`unknown tensor data type ${JSON.stringify(dtype)}`);
  return storage.code;
}

/** The element type name of a TensorProto.DataType code, or undefined for an unknown code. */
export function dataTypeName(code: number): TensorDataType | undefined {
  return NAMES_BY_CODE.get(code);
}

/** Product of dims (1 for a scalar); throws on a negative or non-integer dim. */
export function elementCount(dims: readonly (number | bigint)[], what = 'tensor'): number {
  let count = 1;
  for (const d of dims) {
    const n = Number(d);
    if (!Number.isSafeInteger(n) || n < 0) throw new OnnxTensorError(`${what}: invalid dimension ${String(d)} in [${dims.join(', ')}]`);
    count *= n;
  }
  return count;
}

function assertLittleEndianHost(): void {
  // raw_data is little-endian; typed arrays use the host's order, little-endian on every JS engine we target.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new OnnxTensorError('raw tensor data needs a little-endian host');
  }
}

/**
 * A TensorProto holding `data` as little-endian raw_data. `data` must be the dtype's array type
 * (see {@link TensorData}) with product(dims) elements.
 */
export function makeTensor(name: string, dtype: TensorDataType, dims: readonly number[], data: TensorData): TensorProto {
  const storage = STORAGE[dtype];
  if (!storage) throw new OnnxTensorError(`tensor '${name}': unknown data type ${JSON.stringify(dtype)}`);
  if (!storage.array) throw new OnnxTensorError(`tensor '${name}': ${dtype} tensors are not supported`);
  if (!(data instanceof storage.array)) {
    throw new OnnxTensorError(`tensor '${name}': ${dtype} data must be a ${storage.array.name}, got ${data?.constructor?.name ?? typeof data}`);
  }
  const expected = elementCount(dims, `tensor '${name}'`) * storage.perElement;
  if (data.length !== expected) {
    throw new OnnxTensorError(`tensor '${name}': ${data.length} values for dims [${dims.join(', ')}] (expected ${expected})`);
  }
  if (dtype === 'bool' && data.some((v) => v !== 0 && v !== 1)) {
    throw new OnnxTensorError(`tensor '${name}': bool data must hold only 0 and 1`);
  }
  assertLittleEndianHost();
  const rawData = new Uint8Array(data.byteLength);
  rawData.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return { dims: [...dims], dataType: storage.code, name, rawData };
}

/**
 * Plain numbers or bigints as the typed array a dtype uses (see {@link TensorData}): float16
 * values become their bits; integer dtypes need integers that fit. Throws naming `what`.
 */
export function tensorDataFrom(dtype: TensorDataType, values: readonly (number | bigint)[], what = 'tensor'): TensorData {
  const storage = STORAGE[dtype];
  if (!storage) throw new OnnxTensorError(`${what}: unknown data type ${JSON.stringify(dtype)}`);
  if (dtype === 'float16') return float32ToFloat16(values.map(Number));
  if (!storage.array || dtype === 'bfloat16') throw new OnnxTensorError(`${what}: cannot convert plain values to ${dtype}`);
  const out = new storage.array(values.length);
  const target = out as unknown as { [index: number]: number | bigint };
  const floating = storage.field === 'floatData' || storage.field === 'doubleData';
  values.forEach((v, i) => {
    if (floating) {
      target[i] = Number(v);
      return;
    }
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new OnnxTensorError(`${what}: ${v} is not an integer (${dtype})`);
    target[i] = out instanceof BigInt64Array || out instanceof BigUint64Array ? BigInt(v) : Number(v);
    if (BigInt(target[i]!) !== BigInt(v)) throw new OnnxTensorError(`${what}: ${v} does not fit ${dtype}`);
  });
  return out;
}

/**
 * The elements of a TensorProto as a new typed array (see {@link TensorData}), read from
 * raw_data or from the typed field the ONNX spec assigns to its data type.
 */
export function tensorToArray(tensor: TensorProto): TensorData {
  const name = tensor.name ?? '';
  const code = tensor.dataType ?? DataType.UNDEFINED;
  const dtype = dataTypeName(code);
  if (!dtype) throw new OnnxTensorError(`tensor '${name}': unknown data_type ${code}`);
  const storage = STORAGE[dtype];
  if (!storage.array || !storage.field) throw new OnnxTensorError(`tensor '${name}': ${dtype} tensors are not supported`);
  if (tensor.dataLocation === 1 || (tensor.externalData?.length ?? 0) > 0) {
    throw new OnnxTensorError(`tensor '${name}': data stored in an external file is not supported`);
  }
  const expected = elementCount(tensor.dims ?? [], `tensor '${name}'`) * storage.perElement;
  const Array_ = storage.array;
  if (tensor.rawData !== undefined) {
    const bytesPer = Array_.BYTES_PER_ELEMENT;
    if (tensor.rawData.byteLength !== expected * bytesPer) {
      throw new OnnxTensorError(
        `tensor '${name}': raw_data has ${tensor.rawData.byteLength} bytes, expected ${expected * bytesPer} for ${dtype} [${(tensor.dims ?? []).join(', ')}]`,
      );
    }
    assertLittleEndianHost();
    return new Array_(tensor.rawData.slice().buffer);
  }
  const values: readonly (number | bigint)[] = tensor[storage.field] ?? [];
  if (values.length !== expected) {
    throw new OnnxTensorError(
      `tensor '${name}': ${storage.field} has ${values.length} values, expected ${expected} for ${dtype} [${(tensor.dims ?? []).join(', ')}]`,
    );
  }
  const out = new Array_(expected);
  const bigints = out instanceof BigInt64Array || out instanceof BigUint64Array;
  const target = out as unknown as { [index: number]: number | bigint };
  values.forEach((v, i) => {
    target[i] = bigints ? BigInt(v) : Number(v);
  });
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a number, rounded to nearest, ties to even. */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  let result: number;
  let rest: number;
  let half: number;
  if (e > 0) {
    result = (e << 10) | (mantissa >>> 13);
    rest = mantissa & 0x1fff;
    half = 0x1000;
  } else {
    if (e < -10) return sign;
    // Subnormal: the 24-bit significand shifted to units of 2^-24.
    const significand = mantissa | 0x800000;
    const shift = 14 - e;
    result = significand >>> shift;
    rest = significand & ((1 << shift) - 1);
    half = 1 << (shift - 1);
  }
  if (rest > half || (rest === half && (result & 1) === 1)) result++;
  return sign | result;
}

/** The number that IEEE 754 binary16 bits encode. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** float32 values → float16 bits (for float16 initializers). */
export function float32ToFloat16(values: ArrayLike<number>): Uint16Array {
  return Uint16Array.from(values, toFloat16Bits);
}

/** float16 bits → float32 values. */
export function float16ToFloat32(bits: ArrayLike<number>): Float32Array {
  return Float32Array.from(bits, fromFloat16Bits);
}
