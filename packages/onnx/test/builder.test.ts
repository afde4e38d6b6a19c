import {
  Attr,
  AttributeType,
  type AttributeProto,
  DataType,
  GraphBuilder,
  type GraphProto,
  irVersionForOpset,
  makeTensor,
  OnnxGraphError,
  tensorToArray,
  validateGraph,
  validateModel,
} from '@onnx-ddpm/onnx';
import { describe, expect, it } from 'vitest';

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe('GraphBuilder', () => {
  it('builds a model with defaults: opset 17 / IR 8, producer onnx-ddpm 0.1.0', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['N', 3, 8, 8]);
    g.node('Relu', [x], {}, { outputs: ['y'] });
    g.output('y', 'float32', ['N', 3, 8, 8]);
    const model = g.build({ metadata: { b: '2', a: '1' }, docString: 'doc', modelVersion: 3 });
    expect(model.irVersion).toBe(8);
    expect(model.opsetImport).toEqual([{ domain: '', version: 17 }]);
    expect(model.producerName).toBe('onnx-ddpm');
    expect(model.producerVersion).toBe('0.1.0');
    expect(model.metadataProps).toEqual([
      { key: 'b', value: '2' },
      { key: 'a', value: '1' },
    ]);
    expect(model.docString).toBe('doc');
    expect(model.modelVersion).toBe(3);
    expect(model.graph!.input![0]!.type!.tensorType).toEqual({
      elemType: DataType.FLOAT,
      shape: { dim: [{ dimParam: 'N' }, { dimValue: 3 }, { dimValue: 8 }, { dimValue: 8 }] },
    });
    expect(g.build({ producerName: 'other', producerVersion: '2' }).producerName).toBe('other');
  });

  it('maps opsets to IR versions and accepts an explicit IR version', () => {
    expect(irVersionForOpset(13)).toBe(7);
    expect(irVersionForOpset(17)).toBe(8);
    expect(irVersionForOpset(18)).toBe(8);
    expect(irVersionForOpset(21)).toBe(10);
    expect(() => irVersionForOpset(99)).toThrow(/no known IR version for opset 99/);
    const g = new GraphBuilder({ opset: 21 });
    expect(g.irVersion).toBe(10);
    expect(new GraphBuilder({ opset: 99, irVersion: 12 }).build().irVersion).toBe(12);
  });

  it('auto-names nodes and outputs uniquely and uniquifies initializer hints', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    const a = g.node('Relu', [x]);
    const b = g.node('Relu', a);
    const [s0, s1] = g.node('Split', b, { axis: 0 }, { outputs: 2, name: 'split' });
    expect([a, b, s0, s1]).toEqual([['Relu_0_out'], ['Relu_1_out'], 'split_out0', 'split_out1']);
    const w1 = g.constFloat('w', [1, 2]);
    const w2 = g.constFloat('w', [3, 4]);
    const w3 = g.constInt64('w', [5]);
    expect([w1, w2, w3]).toEqual(['w', 'w_1', 'w_2']);
    // An explicit node name that looks auto-generated does not collide with later auto names.
    g.node('Relu', [x], {}, { name: 'Relu_2' });
    expect(g.node('Relu', [x])).toEqual(['Relu_3_out']);
    const model = g.build();
    expect(model.graph!.node!.map((n) => n.name)).toEqual(['Relu_0', 'Relu_1', 'split', 'Relu_2', 'Relu_3']);
    expect(tensorToArray(model.graph!.initializer![2]!)).toEqual(BigInt64Array.of(5n));
  });

  it('writes constants as int64 / float32 initializers with the given dims', () => {
    const g = new GraphBuilder();
    const shape = g.constInt64('shape', [-1, 2n ** 40n, 0]);
    const scalar = g.constFloat('eps', [1e-5], []);
    const [init0, init1] = g.build().graph!.initializer!;
    expect(init0).toMatchObject({ name: shape, dims: [3], dataType: DataType.INT64 });
    expect(tensorToArray(init0!)).toEqual(BigInt64Array.of(-1n, 2n ** 40n, 0n));
    expect(init1).toMatchObject({ name: scalar, dims: [], dataType: DataType.FLOAT });
    expect(tensorToArray(init1!)).toEqual(Float32Array.of(1e-5));
    expect(() => g.constInt64('bad', [1.5])).toThrow(/constant 'bad': 1.5 is not an integer/);
  });

  it('constant() converts plain values to the dtype and checks they fit', () => {
    const g = new GraphBuilder();
    const names = [
      g.constant('i32', 'int32', [-(2 ** 31), 7]),
      g.constant('u8', 'uint8', [0, 255]),
      g.constant('h', 'float16', [1, -2.5], [2, 1]),
      g.constant('b', 'bool', [1, 0]),
      g.constant('d', 'float64', [0.1]),
      g.constant('u64', 'uint64', [2n ** 64n - 1n]),
    ];
    const arrays = g.build().graph!.initializer!.map(tensorToArray);
    expect(names).toEqual(['i32', 'u8', 'h', 'b', 'd', 'u64']);
    expect(arrays).toEqual([
      Int32Array.of(-(2 ** 31), 7),
      Uint8Array.of(0, 255),
      Uint16Array.of(0x3c00, 0xc100),
      Uint8Array.of(1, 0),
      Float64Array.of(0.1),
      BigUint64Array.of(2n ** 64n - 1n),
    ]);
    expect(() => g.constant('x', 'uint8', [256])).toThrow(/constant 'x': 256 does not fit uint8/);
    expect(() => g.constant('x', 'int64', [2n ** 63n])).toThrow(/does not fit int64/);
    expect(() => g.constant('x', 'int32', [0.5])).toThrow(/0.5 is not an integer \(int32\)/);
    expect(() => g.constant('x', 'bool', [2])).toThrow(/bool data must hold only 0 and 1/);
    expect(() => g.constant('x', 'string', [1])).toThrow(/cannot convert plain values to string/);
    expect(() => g.constant('x', 'float32', [1, 2], [3])).toThrow(/2 values for dims \[3\]/);
  });

  it('infers attribute types and honours Attr helpers', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1]);
    const t = makeTensor('value', 'float32', [1], Float32Array.of(2));
    g.node('Custom', [x], {
      int: 3,
      big: 2n ** 62n,
      float: 0.5,
      str: 'nearest',
      ints: [1, -2],
      floats: [0.5, 2],
      strs: ['a', 'b'],
      tensor: t,
      oneAsFloat: Attr.float(1),
      emptyInts: Attr.ints([]),
      oneInt: Attr.int(1),
      strAttr: Attr.string('x'),
    });
    const attrs = Object.fromEntries(g.build().graph!.node![0]!.attribute!.map((a) => [a.name, a] as [string, AttributeProto]));
    expect(attrs.int).toEqual({ name: 'int', type: AttributeType.INT, i: 3 });
    expect(attrs.big).toEqual({ name: 'big', type: AttributeType.INT, i: 2n ** 62n });
    expect(attrs.float).toEqual({ name: 'float', type: AttributeType.FLOAT, f: 0.5 });
    expect(attrs.str!.type).toBe(AttributeType.STRING);
    expect(text(attrs.str!.s)).toBe('nearest');
    expect(attrs.ints).toEqual({ name: 'ints', type: AttributeType.INTS, ints: [1, -2] });
    expect(attrs.floats).toEqual({ name: 'floats', type: AttributeType.FLOATS, floats: [0.5, 2] });
    expect(attrs.strs!.strings!.map(text)).toEqual(['a', 'b']);
    expect(attrs.tensor).toEqual({ name: 'tensor', type: AttributeType.TENSOR, t });
    expect(attrs.oneAsFloat).toEqual({ name: 'oneAsFloat', type: AttributeType.FLOAT, f: 1 });
    expect(attrs.emptyInts).toEqual({ name: 'emptyInts', type: AttributeType.INTS, ints: [] });
    expect(attrs.oneInt).toEqual({ name: 'oneInt', type: AttributeType.INT, i: 1 });
    expect(text(attrs.strAttr!.s)).toBe('x');
    expect(g.node('Custom', [x], { skipped: undefined, kept: 1 }, { name: 'opt' })).toEqual(['opt_out']);
    expect(g.build().graph!.node![1]!.attribute!.map((a) => a.name)).toEqual(['kept']);
    expect(() => g.node('Custom', [x], { empty: [] })).toThrow(/attribute 'empty' is an empty list/);
    expect(() => g.node('Custom', [x], { mixed: [1, 'a'] as unknown as string[] })).toThrow(/attribute 'mixed' mixes value types/);
  });

  it('rejects duplicates and undefined inputs with the node and value named', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/duplicate value name 'x' \(graph input\)/);
    g.node('Relu', [x], {}, { name: 'act', outputs: ['h'] });
    expect(() => g.node('Relu', [x], {}, { outputs: ['h'] })).toThrow(/duplicate value name 'h' \(output of node 'Relu_0' \(Relu\)\)/);
    expect(() => g.node('Relu', [x], {}, { name: 'act' })).toThrow(/duplicate node name 'act'/);
    expect(() => g.node('Split', [x], {}, { outputs: ['s1', 's1'] })).toThrow(/output 's1' is listed twice/);
    expect(() => g.node('Split', [x], {}, { outputs: ['s2', 'h'] })).toThrow(/duplicate value name 'h'/);
    // The failed calls above recorded nothing: their names are still free.
    expect(g.node('Split', [x], {}, { outputs: ['s1', 's2'] })).toEqual(['s1', 's2']);
    expect(() => g.node('Add', [x, 'nope'], {}, { name: 'add1' })).toThrow(
      /node 'add1' \(Add\): input 'nope' is not a graph input, an initializer or an output of an earlier node/,
    );
    expect(() => g.output('h', 'float32', [1])).not.toThrow();
    expect(() => g.output('h', 'float32', [1])).toThrow(/duplicate graph output 'h'/);
    expect(() => g.input('bad', 'float32', [-1])).toThrow(/value 'bad': invalid dimension -1/);
    expect(() => g.input('bad2', 'float32', [''])).toThrow(/symbolic dimension name must not be empty/);
    expect(() => g.input('', 'float32', [1])).toThrow(/non-empty/);
    expect(() => g.node('', [x])).toThrow(/op_type must not be empty/);
    expect(() => g.node('Split', [x], {}, { outputs: -1 })).toThrow(/outputs must be a list of names or a count ≥ 0, got -1/);
    // An omitted optional input ('') is allowed.
    expect(g.node('Clip', [x, '', ''])).toEqual(['Clip_0_out']);
  });

  it('build() rejects an output nothing produces and a domain without opset import', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1]);
    g.output('later', 'float32', [1]);
    expect(() => g.build()).toThrow(/graph 'main': graph output 'later' is not produced/);
    g.node('Relu', [x], {}, { outputs: ['later'] });
    expect(g.build().graph!.output![0]!.name).toBe('later');
    g.node('FusedThing', [x], {}, { domain: 'com.microsoft' });
    expect(() => g.build()).toThrow(/node 'FusedThing_0' \(FusedThing\) uses domain 'com.microsoft' but the model imports no opset for it/);
    g.opsetImport('com.microsoft', 1);
    expect(g.build().opsetImport).toEqual([
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ]);
    expect(() => g.opsetImport('ai.onnx', 18)).toThrow(/the ai.onnx opset is 17/);
  });
});

describe('validateGraph', () => {
  const f32 = { tensorType: { elemType: DataType.FLOAT } };
  const base = (): GraphProto => ({
    name: 'g',
    input: [{ name: 'x', type: f32 }],
    initializer: [{ name: 'w', dims: [1], dataType: DataType.FLOAT, floatData: [1] }],
    node: [{ name: 'n0', opType: 'Add', input: ['x', 'w'], output: ['y'] }],
    output: [{ name: 'y', type: f32 }],
  });

  it('accepts a well-formed graph, and an initializer that shares a graph input name', () => {
    expect(() => validateGraph(base())).not.toThrow();
    const g = base();
    g.initializer!.push({ name: 'x', dims: [1], dataType: DataType.FLOAT, floatData: [0] });
    expect(() => validateGraph(g)).not.toThrow();
  });

  it.each<[string, (g: GraphProto) => void, RegExp]>([
    ['duplicate input', (g) => g.input!.push({ name: 'x' }), /duplicate graph input 'x'/],
    ['duplicate initializer', (g) => g.initializer!.push({ name: 'w' }), /duplicate initializer 'w'/],
    ['output defined twice', (g) => g.node!.push({ name: 'n1', opType: 'Relu', input: ['x'], output: ['y'] }), /node 'n1' \(Relu\) output 'y' is already defined/],
    ['node output shadows an input', (g) => g.node!.push({ opType: 'Relu', input: ['y'], output: ['x'] }), /node #1 \(Relu\) output 'x' is already defined/],
    ['duplicate node name', (g) => g.node!.push({ name: 'n0', opType: 'Relu', input: ['y'], output: ['z'] }), /duplicate node name 'n0'/],
    ['undefined input', (g) => g.node!.push({ name: 'n1', opType: 'Mul', input: ['y', 'ghost'], output: ['z'] }), /graph 'g': node 'n1' \(Mul\) input 'ghost' is not a graph input/],
    ['use before definition', (g) => g.node!.unshift({ name: 'early', opType: 'Relu', input: ['y'], output: ['z'] }), /node 'early' \(Relu\) input 'y'/],
    ['missing op_type', (g) => g.node!.push({ name: 'n1', input: ['x'], output: ['z'] }), /node 'n1' \(no op_type\) has no op_type/],
    ['unproduced output', (g) => g.output!.push({ name: 'q' }), /graph output 'q' is not produced/],
    ['unnamed initializer', (g) => g.initializer!.push({ dims: [] }), /an initializer has no name/],
  ])('rejects %s', (_, mutate, message) => {
    const g = base();
    mutate(g);
    expect(() => validateGraph(g)).toThrow(OnnxGraphError);
    expect(() => validateGraph(g)).toThrow(message);
  });

  it('validateModel requires a graph', () => {
    expect(() => validateModel({ irVersion: 8 })).toThrow(/model has no graph/);
  });
});
