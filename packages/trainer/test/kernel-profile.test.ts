import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelProfiler, kernelFlops, OUTSIDE_BLOCKS, selectBackend } from '../src/node.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('kernelFlops', () => {
  it('counts 2 FLOPs per multiply-add of convolutions, their gradients and matrix products', () => {
    const x = { shape: [2, 8, 8, 3] } as tf.TensorInfo;
    const filter = { shape: [3, 3, 3, 5] } as tf.TensorInfo;
    const dy = { shape: [2, 4, 4, 5] } as tf.TensorInfo;
    // stride 2, 'same': 4×4 outputs, each 3·3·3 multiply-adds per output channel
    expect(kernelFlops(tf.Conv2D, { x, filter }, { strides: 2, pad: 'same' })).toBe(2 * 2 * 4 * 4 * 5 * 27);
    expect(kernelFlops(tf.Conv2DBackpropInput, { dy, filter }, {})).toBe(2 * 2 * 4 * 4 * 5 * 27);
    expect(kernelFlops(tf.Conv2DBackpropFilter, { x, dy }, { filterShape: [3, 3, 3, 5] })).toBe(2 * 2 * 4 * 4 * 5 * 27);
    const a = { shape: [4, 6, 7] } as tf.TensorInfo;
    const b = { shape: [4, 9, 7] } as tf.TensorInfo;
    expect(kernelFlops(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: true })).toBe(2 * 4 * 6 * 7 * 9);
    expect(kernelFlops(tf.Add, { a, b: a }, {})).toBe(0);
  });
});

describe('KernelProfiler', () => {
  it('charges self time and FLOPs to kernels (nested ones apart) and to blocks, forward and backward', () => {
    const profiler = new KernelProfiler();
    const w1 = tf.variable(tf.randomUniform([3, 3, 2, 4], -0.5, 0.5, 'float32', 1));
    const w2 = tf.variable(tf.randomUniform([3, 3, 4, 4], -0.5, 0.5, 'float32', 2));
    const x = tf.randomUniform([2, 6, 6, 2], -1, 1, 'float32', 3) as tf.Tensor4D;
    profiler.start();
    try {
      profiler.beginStep();
      const { value, grads } = tf.variableGrads(() => {
        const h = profiler.block('first', () => tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same'));
        const y = profiler.block('second', () => tf.conv2d(h, w2 as tf.Tensor4D, 1, 'same'));
        return tf.mean(tf.square(y)) as tf.Scalar;
      });
      value.dispose();
      tf.dispose(grads);
    } finally {
      profiler.stop();
    }
    const kernels = new Map(profiler.kernels().map((r) => [r.name, r]));
    const conv = (ci: number) => 2 * 2 * 6 * 6 * 4 * 9 * ci;
    expect(kernels.get(tf.Conv2D)).toMatchObject({ calls: 2, flops: conv(2) + conv(4) });
    expect(kernels.get(tf.Conv2DBackpropFilter)).toMatchObject({ calls: 2, flops: conv(2) + conv(4) });
    // dx of the second conv only (x is no variable); our kernel runs it as a nested forward Conv2D.
    expect(kernels.get(tf.Conv2DBackpropInput)).toMatchObject({ calls: 1, flops: 0 });
    expect(kernels.get(`${tf.Conv2D} ⊂ ${tf.Conv2DBackpropInput}`)).toMatchObject({ calls: 1, flops: conv(4) });
    for (const r of profiler.kernels()) expect(r.selfMs).toBeGreaterThanOrEqual(0);

    const blocks = new Map(profiler.blocks().map((r) => [`${r.block}/${r.phase}`, r]));
    expect(blocks.get('first/forward')).toMatchObject({ calls: 1, flops: conv(2) });
    expect(blocks.get('first/backward')).toMatchObject({ flops: conv(2) });
    expect(blocks.get('second/forward')).toMatchObject({ flops: conv(4) });
    expect(blocks.get('second/backward')).toMatchObject({ flops: 2 * conv(4) });
    expect(blocks.get(`${OUTSIDE_BLOCKS}/forward`)?.ms).toBeGreaterThan(0); // the loss
    expect(blocks.get(`${OUTSIDE_BLOCKS}/backward`)?.ms).toBeGreaterThan(0); // its gradient
    const kernelMs = profiler.kernels().reduce((a, r) => a + r.selfMs, 0);
    const blockMs = profiler.blocks().reduce((a, r) => a + r.ms, 0);
    expect(blockMs).toBeCloseTo(kernelMs, 6);
    const kernelCpu = profiler.kernels().reduce((a, r) => a + r.selfCpuMs, 0);
    expect(profiler.blocks().reduce((a, r) => a + r.cpuMs, 0)).toBeCloseTo(kernelCpu, 6);
    expect(kernelCpu).toBeGreaterThan(0);
    tf.dispose([w1, w2, x]);
  });

  it('leaves the engine as it was after stop()', () => {
    const engine = tf.engine() as unknown as { runKernel: unknown; addTapeNode: unknown };
    const before = [engine.runKernel, engine.addTapeNode];
    const profiler = new KernelProfiler();
    profiler.start();
    expect(engine.runKernel).not.toBe(before[0]);
    profiler.stop();
    expect([engine.runKernel, engine.addTapeNode]).toEqual(before);
  });
});
