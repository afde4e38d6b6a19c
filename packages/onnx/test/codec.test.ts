import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel, encodeModel, type ModelProto, OnnxEncodeError } from '@onnx-ddpm/onnx';
import { afterAll, describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';
import { buildMlpModel, everyFieldModel } from './fixtures.js';

const tag = (field: number, wireType: number) => (field << 3) | wireType;

describe('encodeModel / decodeModel', () => {
  it('writes the official onnx.proto field numbers', () => {
    expect([...encodeModel({ irVersion: 8 })]).toEqual([tag(1, 0), 8]);
    expect([...encodeModel({ producerName: 'p', producerVersion: 'v' })]).toEqual([tag(2, 2), 1, 0x70, tag(3, 2), 1, 0x76]);
    expect([...encodeModel({ modelVersion: 1, docString: '' })]).toEqual([tag(5, 0), 1, tag(6, 2), 0]);
    expect([...encodeModel({ graph: { name: 'g' } })]).toEqual([tag(7, 2), 3, tag(2, 2), 1, 0x67]);
    expect([...encodeModel({ opsetImport: [{ domain: '', version: 17 }] })]).toEqual([tag(8, 2), 4, tag(1, 2), 0, tag(2, 0), 17]);
    expect([...encodeModel({ metadataProps: [{ key: 'k', value: 'v' }] })]).toEqual([tag(14, 2), 6, tag(1, 2), 1, 0x6b, tag(2, 2), 1, 0x76]);
    // float_data is packed (one length-delimited field), dims are not.
    const tensor = encodeModel({ graph: { initializer: [{ dims: [2], dataType: 1, floatData: [1, 2] }] } });
    expect([...tensor]).toEqual([
      tag(7, 2), 16, tag(5, 2), 14, tag(1, 0), 2, tag(2, 0), 1, tag(4, 2), 8, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40,
    ]);
    // Negative int64 is a 10-byte two's-complement varint.
    expect([...encodeModel({ irVersion: -1 })]).toEqual([tag(1, 0), ...Array(9).fill(0xff), 0x01]);
  });

  it('round-trips a built model byte-identically', () => {
    const { model } = buildMlpModel({ 'onnx_ddpm.model_config': '{"channels":1}' });
    const bytes = encodeModel(model);
    const decoded = decodeModel(bytes);
    expect(decoded).toEqual(model);
    expect(encodeModel(decoded)).toEqual(bytes);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
  });

  it('round-trips every attribute kind, 64-bit extremes, tensor fields and metadata', () => {
    const model = everyFieldModel();
    const bytes = encodeModel(model);
    const decoded = decodeModel(bytes);
    expect(decoded).toEqual(model);
    expect(encodeModel(decoded)).toEqual(bytes);
    const attrs = decoded.graph!.node![0]!.attribute!;
    expect(attrs.find((a) => a.name === 'i')!.i).toBe(-(2n ** 63n));
    expect(attrs.find((a) => a.name === 'ints')!.ints).toEqual([-1, 0, 2n ** 63n - 1n, 2 ** 53 - 1]);
    expect(decoded.graph!.initializer![1]!.uint64Data).toEqual([2n ** 64n - 1n, 5]);
    expect(new TextDecoder().decode(attrs.find((a) => a.name === 's')!.s)).toBe('héllo');
  });

  it('keeps presence: zero and empty values are written, absent fields are not', () => {
    const withZero: ModelProto = { irVersion: 0, producerName: '', graph: {} };
    const decoded = decodeModel(Uint8Array.of(...encodeModel(withZero), tag(7, 2), 0));
    expect(decoded).toEqual({ irVersion: 0, producerName: '', graph: {} });
    expect('docString' in decoded).toBe(false);
  });

  it('decoded bytes do not alias the input buffer', () => {
    const { model } = buildMlpModel();
    const bytes = encodeModel(model);
    const decoded = decodeModel(bytes);
    const raw = decoded.graph!.initializer![0]!.rawData!;
    const before = raw[0];
    bytes.fill(0);
    expect(raw[0]).toBe(before);
  });

  it('accepts protobufjs Long-style { low, high } values for 64-bit fields', () => {
    const maxInt64 = { low: -1, high: 0x7fffffff, unsigned: false };
    const model = { irVersion: 8, graph: { initializer: [{ int64Data: [maxInt64, { low: 5, high: 0 }] }] } };
    const bytes = encodeModel(model as unknown as ModelProto);
    expect(decodeModel(bytes).graph!.initializer![0]!.int64Data).toEqual([2n ** 63n - 1n, 5]);
  });

  it('rejects values that do not fit the schema, naming the field path', () => {
    const bad = (model: unknown) => () => encodeModel(model as ModelProto);
    expect(bad({ graph: { node: [{ opType: 'Relu', attribute: [{ name: 'a', i: 1.5 }] }] } })).toThrow(
      /model\.graph\.node\[0\]\.attribute\[0\]\.i: expected a safe integer or a bigint/,
    );
    expect(bad({ irVersion: 2n ** 63n })).toThrow(/model\.irVersion: 9223372036854775808 is outside \[-2\^63, 2\^63\)/);
    expect(bad({ graph: { initializer: [{ uint64Data: [-1] }] } })).toThrow(/uint64Data\[0\]/);
    expect(bad({ graph: { nodes: [] } })).toThrow(OnnxEncodeError);
    expect(bad({ graph: { nodes: [] } })).toThrow(/model\.graph\.nodes: GraphProto has no field "nodes"/);
    expect(bad({ producerName: 5 })).toThrow(/model\.producerName: expected a string, got number 5/);
    expect(bad({ graph: { initializer: [{ rawData: [1, 2] }] } })).toThrow(/rawData: expected a Uint8Array, got an array/);
    expect(bad({ graph: { initializer: [{ dataType: 2 ** 31 }] } })).toThrow(/dataType: expected an integer in/);
    expect(bad({ graph: [] })).toThrow(/model\.graph: expected a GraphProto object, got an array/);
  });
});

// Python's protobuf (the reference implementation) must re-serialize our bytes unchanged.
describe('bytes match the reference protobuf implementation', requires(TEST_DEPS.pythonOnnx), () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-codec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['built model', () => buildMlpModel({ k: 'v' }).model],
    ['every-field model', everyFieldModel],
  ])('%s', (_, make) => {
    const path = join(dir, 'model.onnx');
    const bytes = encodeModel(make());
    writeFileSync(path, bytes);
    const script = 'import onnx,sys; m=onnx.ModelProto(); m.ParseFromString(open(sys.argv[1],"rb").read()); open(sys.argv[2],"wb").write(m.SerializeToString())';
    execFileSync('/usr/bin/python3', ['-c', script, path, `${path}.py`]);
    expect(new Uint8Array(readFileSync(`${path}.py`))).toEqual(bytes);
  });
});
