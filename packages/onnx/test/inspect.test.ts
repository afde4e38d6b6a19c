import { encodeModel, GraphBuilder, inspectModel, OnnxDecodeError } from '@onnx-ddpm/onnx';
import { describe, expect, it } from 'vitest';
import { buildMlpModel, everyFieldModel, MLP } from './fixtures.js';

describe('inspectModel', () => {
  it('summarizes a built model, from the proto and from its bytes', () => {
    const metadata = { 'onnx_ddpm.scheduler_config': '{"num_train_timesteps":1000}', 'onnx_ddpm.schedule_fingerprint': 'abc' };
    const { model } = buildMlpModel(metadata);
    const summary = inspectModel(model);
    expect(summary).toEqual({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['N', MLP.inFeatures] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: ['N', MLP.outFeatures, 1] }],
      opsets: [{ domain: '', version: 17 }],
      metadata,
      // weight 4×3 + bias 3; the int64 shape constant is not a parameter.
      parameterCount: MLP.inFeatures * MLP.outFeatures + MLP.outFeatures,
      nodeCount: 4,
      opCounts: { MatMul: 1, Add: 1, Relu: 1, Reshape: 1 },
      producer: 'onnx-ddpm 0.1.0',
      irVersion: 8,
      graphName: 'mlp',
      initializerCount: 3,
    });
    expect(inspectModel(encodeModel(model))).toEqual(summary);
  });

  it('counts float16/float64 parameters, per-domain ops and unusual shapes', () => {
    const g = new GraphBuilder({ name: 'mixed' });
    const t = g.input('timestep', 'int64', ['N']);
    g.initializer('h', 'float16', [2, 5], new Uint16Array(10));
    g.initializer('d', 'float64', [7], new Float64Array(7));
    g.initializer('i', 'int32', [100], new Int32Array(100));
    g.opsetImport('com.microsoft', 1);
    g.node('Identity', [t], {}, { outputs: ['a'] });
    g.node('Identity', ['a'], {}, { outputs: ['b'] });
    g.node('Gelu', ['b'], {}, { domain: 'com.microsoft', outputs: ['c'] });
    g.output('c', 'int64', ['N']);
    const summary = inspectModel(g.build());
    expect(summary.parameterCount).toBe(17);
    expect(summary.opCounts).toEqual({ Identity: 2, 'com.microsoft.Gelu': 1 });
    expect(summary.opsets).toEqual([
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ]);
    expect(summary.inputs).toEqual([{ name: 'timestep', dtype: 'int64', shape: ['N'] }]);

    const other = inspectModel(everyFieldModel());
    expect(other.inputs[0]!.shape).toEqual(['N', 0, '?']);
    expect(other.outputs[0]).toEqual({ name: 'y', dtype: 'float16', shape: [] });
    expect(other.producer).toBe('fixture 9.9');
    expect(other.opCounts).toEqual({ 'org.example.Custom': 1 });
    expect(other.metadata).toEqual({ 'onnx_ddpm.scheduler_config': '{"num_train_timesteps":1000}', empty: '' });
  });

  it('rejects bytes that are not a model', () => {
    expect(() => inspectModel(new TextEncoder().encode('{}'))).toThrow(OnnxDecodeError);
  });
});
