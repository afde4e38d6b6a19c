import { encodeModel, float16ToFloat32, float32ToFloat16, GraphBuilder } from '@onnx-ddpm/onnx';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildMlpModel, MLP, mlpReference, seededUniform } from './fixtures.js';

describe('built models run in onnxruntime-node', () => {
  it('MatMul → Add → Relu → Reshape with a dynamic batch dimension', async () => {
    const { model, weights, bias } = buildMlpModel();
    const session = await ort.InferenceSession.create(encodeModel(model));
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
    for (const batch of [1, 2, 5]) {
      const x = seededUniform(10 + batch, batch * MLP.inFeatures);
      const { y } = await session.run({ x: new ort.Tensor('float32', x, [batch, MLP.inFeatures]) });
      expect(y!.dims).toEqual([batch, MLP.outFeatures, 1]);
      const expected = mlpReference(x, weights, bias);
      const got = y!.data as Float32Array;
      expect(got.some((v) => v === 0) && got.some((v) => v > 0)).toBe(true); // Relu active on both sides
      for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 6);
    }
    await session.release();
  });

  it('float16 and int64 initializers, int attributes and a float attribute', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['N', 2]);
    const halfValues = Float32Array.of(0.1, -2.5, 1000.7, 3e-5);
    const half = g.initializer('half', 'float16', [2, 2], float32ToFloat16(halfValues));
    const [asFloat] = g.node('Cast', [half], { to: 1 });
    const [prod] = g.node('MatMul', [x, asFloat!]);
    const [scaled] = g.node('LeakyRelu', [prod!], { alpha: 0.25 });
    const axes = g.constInt64('axes', [1]);
    const [sum] = g.node('ReduceSum', [scaled!, axes], { keepdims: 0 }, { outputs: ['sum'] });
    g.output(sum!, 'float32', ['N']);
    const session = await ort.InferenceSession.create(encodeModel(g.build()));
    const input = Float32Array.of(1, 2, -3, 0.5);
    const { sum: out } = await session.run({ x: new ort.Tensor('float32', input, [2, 2]) });
    const w = float16ToFloat32(float32ToFloat16(halfValues));
    const expected = [0, 1].map((row) => {
      let total = 0;
      for (let j = 0; j < 2; j++) {
        const v = input[row * 2]! * w[j]! + input[row * 2 + 1]! * w[2 + j]!;
        total += v >= 0 ? v : 0.25 * v;
      }
      return total;
    });
    expect(out!.dims).toEqual([2]);
    expect(Array.from(out!.data as Float32Array)).toEqual(expected.map((v) => expect.closeTo(v, 2)));
    await session.release();
  });
});
