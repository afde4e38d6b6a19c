import {
  DataType,
  dataTypeCode,
  dataTypeName,
  decodeModel,
  encodeModel,
  float16ToFloat32,
  float32ToFloat16,
  fromFloat16Bits,
  makeTensor,
  OnnxTensorError,
  type TensorData,
  type TensorDataType,
  type TensorProto,
  tensorToArray,
  toFloat16Bits,
} from '@onnx-ddpm/onnx';
import { describe, expect, it } from 'vitest';

/** Round-trips one tensor through the model codec. */
function throughCodec(tensor: TensorProto): TensorProto {
  const bytes = encodeModel({ irVersion: 8, graph: { initializer: [tensor] } });
  return decodeModel(bytes).graph!.initializer![0]!;
}

describe('raw-data tensors', () => {
  const cases: [TensorDataType, number[], TensorData][] = [
    ['float32', [2, 2], Float32Array.of(1.5, -0, Number.POSITIVE_INFINITY, 3e-41)],
    ['float64', [3], Float64Array.of(Math.PI, -1e300, 5e-324)],
    ['int64', [3], BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n, -1n)],
    ['uint64', [1], BigUint64Array.of(2n ** 64n - 1n)],
    ['int32', [2], Int32Array.of(-(2 ** 31), 2 ** 31 - 1)],
    ['uint32', [1], Uint32Array.of(2 ** 32 - 1)],
    ['int16', [1], Int16Array.of(-300)],
    ['uint16', [1], Uint16Array.of(65535)],
    ['int8', [2], Int8Array.of(-128, 127)],
    ['uint8', [2], Uint8Array.of(0, 255)],
    ['bool', [3], Uint8Array.of(1, 0, 1)],
    ['float16', [2], Uint16Array.of(0x3c00, 0xfbff)],
    ['bfloat16', [1], Uint16Array.of(0x3f80)],
    ['complex64', [1], Float32Array.of(1, -2)],
    ['float32', [0, 3], new Float32Array(0)],
    ['float32', [], Float32Array.of(7)],
  ];

  it.each(cases)('%s %j round-trips through raw_data and the codec', (dtype, dims, data) => {
    const tensor = makeTensor('t', dtype, dims, data);
    expect(tensor.dataType).toBe(dataTypeCode(dtype));
    expect(tensor.rawData!.byteLength).toBe(data.byteLength);
    const back = tensorToArray(throughCodec(tensor));
    expect(back.constructor).toBe(data.constructor);
    expect(back).toEqual(data);
  });

  it('writes raw_data little-endian', () => {
    expect([...makeTensor('f', 'float32', [1], Float32Array.of(1)).rawData!]).toEqual([0, 0, 0x80, 0x3f]);
    expect([...makeTensor('i', 'int64', [1], BigInt64Array.of(-2n)).rawData!]).toEqual([0xfe, ...Array(7).fill(0xff)]);
    expect([...makeTensor('h', 'float16', [1], Uint16Array.of(0x3c00)).rawData!]).toEqual([0x00, 0x3c]);
  });

  it('reads from a view with an unaligned byte offset', () => {
    const backing = new Uint8Array(9);
    backing.set([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40], 1);
    const tensor: TensorProto = { name: 'u', dims: [2], dataType: DataType.FLOAT, rawData: backing.subarray(1) };
    expect(tensorToArray(tensor)).toEqual(Float32Array.of(1, 2));
  });

  it('rejects mismatched arrays, lengths and dims', () => {
    expect(() => makeTensor('w', 'float32', [2], Float64Array.of(1, 2))).toThrow(/tensor 'w': float32 data must be a Float32Array, got Float64Array/);
    expect(() => makeTensor('w', 'int64', [3], BigInt64Array.of(1n))).toThrow(/tensor 'w': 1 values for dims \[3\] \(expected 3\)/);
    expect(() => makeTensor('w', 'float32', [-1], new Float32Array(0))).toThrow(/invalid dimension -1/);
    expect(() => makeTensor('b', 'bool', [1], Uint8Array.of(2))).toThrow(/only 0 and 1/);
    expect(() => makeTensor('s', 'string', [1], Uint8Array.of(2))).toThrow(/string tensors are not supported/);
    expect(() => makeTensor('w', 'float8' as TensorDataType, [1], Uint8Array.of(2))).toThrow(OnnxTensorError);
    const short: TensorProto = { name: 'r', dims: [3], dataType: DataType.FLOAT, rawData: new Uint8Array(8) };
    expect(() => tensorToArray(short)).toThrow(/tensor 'r': raw_data has 8 bytes, expected 12 for float32 \[3\]/);
    expect(() => tensorToArray({ name: 'x', dataType: 99 })).toThrow(/unknown data_type 99/);
    const external: TensorProto = { name: 'e', dims: [1], dataType: DataType.FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] };
    expect(() => tensorToArray(external)).toThrow(/external file/);
  });
});

describe('typed-field tensors', () => {
  it('reads each data type from the field the spec assigns', () => {
    const t = (dataType: number, dims: number[], fields: Partial<TensorProto>) => tensorToArray(throughCodec({ name: 'x', dataType, dims, ...fields }));
    expect(t(DataType.FLOAT, [2], { floatData: [0.5, -1] })).toEqual(Float32Array.of(0.5, -1));
    expect(t(DataType.DOUBLE, [1], { doubleData: [0.1] })).toEqual(Float64Array.of(0.1));
    expect(t(DataType.INT64, [3], { int64Data: [-(2n ** 63n), 5, 2n ** 62n] })).toEqual(BigInt64Array.of(-(2n ** 63n), 5n, 2n ** 62n));
    expect(t(DataType.UINT64, [1], { uint64Data: [2n ** 64n - 1n] })).toEqual(BigUint64Array.of(2n ** 64n - 1n));
    expect(t(DataType.UINT32, [1], { uint64Data: [2 ** 32 - 1] })).toEqual(Uint32Array.of(2 ** 32 - 1));
    expect(t(DataType.INT32, [2], { int32Data: [-7, 9] })).toEqual(Int32Array.of(-7, 9));
    expect(t(DataType.FLOAT16, [1], { int32Data: [0xc000] })).toEqual(Uint16Array.of(0xc000));
    expect(t(DataType.BOOL, [2], { int32Data: [1, 0] })).toEqual(Uint8Array.of(1, 0));
    expect(t(DataType.INT8, [1], { int32Data: [-3] })).toEqual(Int8Array.of(-3));
    expect(t(DataType.FLOAT, [0], {})).toEqual(new Float32Array(0));
  });

  it('rejects a typed field whose length does not match dims', () => {
    expect(() => tensorToArray({ name: 'c', dataType: DataType.INT64, dims: [2], int64Data: [1] })).toThrow(
      /tensor 'c': int64Data has 1 values, expected 2 for int64 \[2\]/,
    );
    expect(() => tensorToArray({ name: 'n', dataType: DataType.FLOAT, dims: [2] })).toThrow(/floatData has 0 values, expected 2/);
  });
});

describe('float16', () => {
  it('every finite and infinite float16 value survives float16 → float32 → float16', () => {
    const bits = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((b) => (b & 0x7c00) !== 0x7c00 || (b & 0x3ff) === 0);
    expect(float32ToFloat16(float16ToFloat32(bits))).toEqual(bits);
  });

  it('decodes the IEEE binary16 layout', () => {
    expect(fromFloat16Bits(0x3c00)).toBe(1);
    expect(fromFloat16Bits(0xc000)).toBe(-2);
    expect(fromFloat16Bits(0x7bff)).toBe(65504); // largest finite half
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(fromFloat16Bits(0x0400)).toBe(2 ** -14); // smallest normal
    expect(Object.is(fromFloat16Bits(0x8000), -0)).toBe(true);
    expect(fromFloat16Bits(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
  });

  it('rounds to nearest, ties to even, with overflow and underflow', () => {
    const ulp = 2 ** -10; // spacing of halves in [1, 2)
    expect(toFloat16Bits(1 + ulp / 2)).toBe(0x3c00); // tie → even (1)
    expect(toFloat16Bits(1 + (3 * ulp) / 2)).toBe(0x3c02); // tie → even (1 + 2 ulp)
    expect(toFloat16Bits(1 + ulp / 2 + 2 ** -20)).toBe(0x3c01); // above the tie → up
    expect(toFloat16Bits(65520)).toBe(0x7c00); // halfway past the largest finite → infinity
    expect(toFloat16Bits(65519)).toBe(0x7bff);
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal → 0
    expect(toFloat16Bits(2 ** -25 + 2 ** -35)).toBe(0x0001);
    expect(toFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between subnormals 1 and 2 → 2
    expect(toFloat16Bits(-1e-10)).toBe(0x8000);
    expect(toFloat16Bits(Number.NaN) & 0x7e00).toBe(0x7e00);
  });

  it('float16 raw data round-trips through the codec', () => {
    const values = Float32Array.of(0.1, -3.25, 1000, 6e-8, 0);
    const tensor = makeTensor('h', 'float16', [5], float32ToFloat16(values));
    const back = tensorToArray(throughCodec(tensor));
    expect(back).toBeInstanceOf(Uint16Array);
    expect(back).toEqual(tensor.rawData && new Uint16Array(tensor.rawData.slice().buffer));
    const restored = float16ToFloat32(back as Uint16Array);
    for (let i = 0; i < values.length; i++) expect(Math.abs(restored[i]! - values[i]!)).toBeLessThanOrEqual(Math.abs(values[i]!) * 2 ** -11 + 2 ** -25);
  });
});

describe('data type names', () => {
  it('maps names to onnx.proto codes and back', () => {
    expect(dataTypeCode('float32')).toBe(1);
    expect(dataTypeCode('int64')).toBe(7);
    expect(dataTypeCode('float16')).toBe(10);
    expect(dataTypeCode('float64')).toBe(11);
    expect(dataTypeName(9)).toBe('bool');
    expect(dataTypeName(6)).toBe('int32');
    expect(dataTypeName(12345)).toBeUndefined();
  });
});
