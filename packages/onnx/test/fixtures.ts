import { AttributeType, DataType, GraphBuilder, type ModelProto, makeTensor } from '@onnx-ddpm/onnx';

/** Deterministic uniform numbers in [-1, 1) (mulberry32), so fixtures do not depend on Math.random. */
export function seededUniform(seed: number, count: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

export const MLP = { inFeatures: 4, outFeatures: 3 } as const;

/** x[N,4] → MatMul(W[4,3]) → Add(b[3]) → Relu → Reshape([-1,3,1]) → y[N,3,1]. */
export function buildMlpModel(metadata?: Record<string, string>): { model: ModelProto; weights: Float32Array; bias: Float32Array } {
  const weights = seededUniform(1, MLP.inFeatures * MLP.outFeatures);
  const bias = seededUniform(2, MLP.outFeatures);
  const g = new GraphBuilder({ name: 'mlp' });
  const x = g.input('x', 'float32', ['N', MLP.inFeatures]);
  const w = g.initializer('weight', 'float32', [MLP.inFeatures, MLP.outFeatures], weights);
  const b = g.initializer('bias', 'float32', [MLP.outFeatures], bias);
  const [h] = g.node('MatMul', [x, w]);
  const [hb] = g.node('Add', [h!, b]);
  const [r] = g.node('Relu', [hb!]);
  const shape = g.constInt64('shape', [-1, MLP.outFeatures, 1]);
  g.node('Reshape', [r!, shape], {}, { outputs: ['y'] });
  g.output('y', 'float32', ['N', MLP.outFeatures, 1]);
  return { model: g.build(metadata ? { metadata } : {}), weights, bias };
}

/** The MLP's expected output computed directly: relu(x·W + b), flattened [N,3,1]. */
export function mlpReference(x: Float32Array, weights: Float32Array, bias: Float32Array): Float32Array {
  const n = x.length / MLP.inFeatures;
  const out = new Float32Array(n * MLP.outFeatures);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < MLP.outFeatures; j++) {
      let sum = bias[j]!;
      for (let k = 0; k < MLP.inFeatures; k++) sum += x[i * MLP.inFeatures + k]! * weights[k * MLP.outFeatures + j]!;
      out[i * MLP.outFeatures + j] = Math.max(0, sum);
    }
  }
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A hand-written model that uses every attribute kind, 64-bit extremes, every tensor field and metadata. */
export function everyFieldModel(): ModelProto {
  const subgraph = {
    name: 'body',
    node: [{ input: ['a'], output: ['b'], opType: 'Identity', name: 'inner' }],
    input: [{ name: 'a', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimValue: 1 }] } } } }],
    output: [{ name: 'b', type: { tensorType: { elemType: DataType.FLOAT } } }],
  };
  return {
    irVersion: 8,
    producerName: 'fixture',
    producerVersion: '9.9',
    domain: 'org.example',
    modelVersion: 2n ** 60n + 7n,
    docString: 'every field ✓',
    graph: {
      name: 'all',
      docString: 'graph doc',
      node: [
        {
          input: ['x', ''],
          output: ['y'],
          name: 'custom',
          opType: 'Custom',
          domain: 'org.example',
          docString: 'node doc',
          attribute: [
            { name: 'f', type: AttributeType.FLOAT, f: -0.25 },
            { name: 'i', type: AttributeType.INT, i: -(2n ** 63n) },
            { name: 'i_small', type: AttributeType.INT, i: -5 },
            { name: 's', type: AttributeType.STRING, s: utf8('héllo') },
            { name: 't', type: AttributeType.TENSOR, t: makeTensor('t', 'int32', [2], Int32Array.of(-1, 7)) },
            { name: 'g', type: AttributeType.GRAPH, g: subgraph },
            { name: 'floats', type: AttributeType.FLOATS, floats: [1.5, -2, 0] },
            { name: 'ints', type: AttributeType.INTS, ints: [-1, 0, 2n ** 63n - 1n, 2 ** 53 - 1] },
            { name: 'strings', type: AttributeType.STRINGS, strings: [utf8('a'), utf8('')] },
            { name: 'tensors', type: AttributeType.TENSORS, tensors: [{ dims: [1], dataType: DataType.FLOAT, floatData: [3] }] },
            { name: 'graphs', type: AttributeType.GRAPHS, graphs: [subgraph, { name: 'empty' }] },
            { name: 'ref', type: AttributeType.FLOAT, refAttrName: 'outer', docString: 'attr doc' },
          ],
        },
      ],
      initializer: [
        { name: 'i64', dims: [3], dataType: DataType.INT64, int64Data: [-(2n ** 63n), 2n ** 63n - 1n, -3] },
        { name: 'u64', dims: [2], dataType: DataType.UINT64, uint64Data: [2n ** 64n - 1n, 5] },
        { name: 'f64', dims: [2], dataType: DataType.DOUBLE, doubleData: [Math.PI, -1e300] },
        { name: 'f32', dims: [2, 1], dataType: DataType.FLOAT, floatData: [0.5, -8] },
        { name: 'i32', dims: [2], dataType: DataType.INT32, int32Data: [-(2 ** 31), 2 ** 31 - 1] },
        { name: 'str', dims: [2], dataType: DataType.STRING, stringData: [utf8('x'), utf8('yz')] },
        { name: 'seg', dims: [1], dataType: DataType.FLOAT, segment: { begin: 0, end: 1 }, floatData: [1] },
        {
          name: 'ext',
          dims: [4],
          dataType: DataType.FLOAT,
          dataLocation: 1,
          externalData: [{ key: 'location', value: 'weights.bin' }],
          docString: 'external',
        },
      ],
      input: [
        {
          name: 'x',
          docString: 'input doc',
          type: {
            denotation: 'TENSOR',
            tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'N', denotation: 'DATA_BATCH' }, { dimValue: 0 }, {}] } },
          },
        },
      ],
      output: [{ name: 'y', type: { tensorType: { elemType: DataType.FLOAT16, shape: {} } } }],
      valueInfo: [{ name: 'x' }],
    },
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'org.example', version: 1 },
    ],
    metadataProps: [
      { key: 'onnx_ddpm.scheduler_config', value: '{"num_train_timesteps":1000}' },
      { key: 'empty', value: '' },
    ],
  };
}
