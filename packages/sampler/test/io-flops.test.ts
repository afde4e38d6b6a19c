import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import { describe, expect, it } from 'vitest';
import { measureMatmulGflops } from '../src/io/matmul-bench-node.js';
import { countMacs } from '../src/io/model-flops.js';
import { measureModelFlops } from '../src/io/model-flops-node.js';

/** sample [N, 2, 8, 8] → strided Conv → grouped Conv → ConvTranspose → MatMul → Gemm (transB). */
function testModel() {
  const b = new GraphBuilder({ name: 'flops' });
  const x = b.input('sample', 'float32', ['N', 2, 8, 8]);
  b.input('timestep', 'int64', ['N']);
  const w = (name: string, dims: number[]) => b.initializer(name, 'float32', dims, new Float32Array(dims.reduce((p, d) => p * d, 1)).fill(0.01));
  const [c1] = b.node('Conv', [x, w('w1', [4, 2, 3, 3])], { pads: [1, 1, 1, 1], strides: [2, 2] }); // [N, 4, 4, 4]
  const [c2] = b.node('Conv', [c1!, w('w2', [4, 2, 3, 3]), w('b2', [4])], { pads: [1, 1, 1, 1], group: 2 }); // [N, 4, 4, 4]
  const [ct] = b.node('ConvTranspose', [c2!, w('w3', [4, 2, 2, 2])], { strides: [2, 2] }); // [N, 2, 8, 8]
  const [r1] = b.node('Reshape', [ct!, b.constInt64('s1', [0, 2, 64])]); // [N, 2, 64]
  const [mm] = b.node('MatMul', [r1!, w('w4', [64, 16])]); // [N, 2, 16]
  const [r2] = b.node('Reshape', [mm!, b.constInt64('s2', [0, 32])]); // [N, 32]
  b.node('Gemm', [r2!, w('w5', [8, 32]), w('b5', [8])], { transB: 1 }, { outputs: ['out'] }); // [N, 8]
  b.output('out', 'float32', ['N', 8]);
  return b.build();
}

// Per item: Conv 4·4·4 outputs × 2·3·3 = 1152; grouped Conv 64 × (4/2)·9 = 1152;
// ConvTranspose 4·4·4 inputs × 2·2·2 = 512; MatMul 2·16 outputs × 64 = 2048; Gemm 8 × 32 = 256.
const PER_ITEM = { Conv: 2304, ConvTranspose: 512, MatMul: 2048, Gemm: 256 };

describe('model FLOP count', () => {
  it('counts Conv, ConvTranspose, MatMul and Gemm MACs from shapes found by running the model', async () => {
    const model = testModel();
    for (const n of [1, 3]) {
      const count = await measureModelFlops(encodeModel(model), [n, 2, 8, 8]);
      expect(count.byOp).toEqual(Object.fromEntries(Object.entries(PER_ITEM).map(([k, v]) => [k, v * n])));
      expect(count.macs).toBe(5120 * n);
      expect(count.flops).toBe(2 * 5120 * n);
      expect(count.nodes).toBe(5);
    }
  });

  it('names the node whose shape is missing', () => {
    expect(() => countMacs(testModel(), () => undefined)).toThrow(/no shape for output '.*' of Conv node/);
  });
});

describe('matmul reference', () => {
  it('measures a positive GFLOP/s over at least 5 runs', async () => {
    const r = await measureMatmulGflops({ size: 64, minMs: 10 });
    expect(r.size).toBe(64);
    expect(r.runs).toBeGreaterThanOrEqual(5);
    expect(r.bestMs).toBeGreaterThan(0);
    expect(r.medianMs).toBeGreaterThanOrEqual(r.bestMs);
    expect(r.gflops).toBeCloseTo((2 * 64 ** 3) / (r.bestMs * 1e6), 6);
    expect(r.medianGflops).toBeCloseTo((2 * 64 ** 3) / (r.medianMs * 1e6), 6);
  });
});
