import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import { gaussians } from '@onnx-ddpm/schedule';
import * as ort from 'onnxruntime-node';

export interface MatmulBench {
  /** n of the n×n×n product. */
  size: number;
  /** Fastest and median milliseconds of one MatMul call (session.run, in and out of JS included). */
  bestMs: number;
  medianMs: number;
  /** 2·n³ / fastest time: the machine's attainable rate, least disturbed by other load. */
  gflops: number;
  /** 2·n³ / median time. */
  medianGflops: number;
  runs: number;
}

/**
 * This machine's dense float32 throughput on onnxruntime-node CPU: an n×n by n×n MatMul ONNX
 * model (built with GraphBuilder) run after 2 warm-up calls for at least `minMs` and 5 runs.
 * Reports the fastest call (peak) and the median.
 */
export async function measureMatmulGflops(opts: { size?: number; minMs?: number } = {}): Promise<MatmulBench> {
  const n = opts.size ?? 512;
  const minMs = opts.minMs ?? 300;
  const b = new GraphBuilder({ name: 'matmul-bench' });
  const a = b.input('a', 'float32', [n, n]);
  const weights = new Float32Array(n * n);
  gaussians(1, 0, 0, weights);
  const w = b.initializer('w', 'float32', [n, n], weights);
  b.node('MatMul', [a, w], {}, { outputs: ['y'] });
  b.output('y', 'float32', [n, n]);
  const session = await ort.InferenceSession.create(encodeModel(b.build()), {
    executionProviders: ['cpu'],
    logSeverityLevel: 3,
  });
  try {
    const input = new Float32Array(n * n);
    gaussians(2, 0, 0, input);
    const feeds = { a: new ort.Tensor('float32', input, [n, n]) };
    for (let i = 0; i < 2; i++) await session.run(feeds);
    const times: number[] = [];
    const start = performance.now();
    while (times.length < 5 || performance.now() - start < minMs) {
      const t0 = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    const bestMs = times[0]!;
    const medianMs = times[Math.floor(times.length / 2)]!;
    const flops = 2 * n ** 3;
    return { size: n, bestMs, medianMs, gflops: flops / (bestMs * 1e6), medianGflops: flops / (medianMs * 1e6), runs: times.length };
  } finally {
    await session.release();
  }
}
