import { type DenoiserModel, sample } from '@onnx-ddpm/sampler';
import { createScheduler, PhiloxNoise, type SchedulerConfig } from '@onnx-ddpm/schedule';
import type { MethodSpec } from './methods.js';

export interface GenerateOptions {
  n: number;
  /** Items per sampler call. */
  batch: number;
  seed: number;
  /** One label per item (class-conditional models), or null. */
  classLabels: Int32Array | null;
  /** Classifier-free guidance scale, or undefined for plain conditional/unconditional sampling. */
  guidance?: number;
  onBatch?: (done: number, total: number) => void;
}

/**
 * Draws `n` samples with one method in batches; every batch draws from the one Philox stream keyed by
 * seed·2²⁴ at its first sample's offset, so the same seed gives the same samples whatever the method
 * and the batch size. Returns x₀ [n, ...item] and the wall time.
 */
export async function generateSamples(
  model: DenoiserModel,
  config: SchedulerConfig,
  spec: MethodSpec,
  opts: GenerateOptions,
): Promise<{ samples: Float32Array; seconds: number }> {
  const item = model.info.sampleShape.reduce((a, b) => a * b, 1);
  const samples = new Float32Array(opts.n * item);
  const start = performance.now();
  const scheduler = createScheduler(config, spec);
  for (let offset = 0; offset < opts.n; offset += opts.batch) {
    const count = Math.min(opts.batch, opts.n - offset);
    const result = await sample(model, scheduler, {
      batch: count,
      noise: new PhiloxNoise(BigInt(opts.seed) << 24n),
      firstSample: offset,
      classLabels: opts.classLabels ? opts.classLabels.subarray(offset, offset + count) : null,
      guidance: opts.guidance,
    });
    samples.set(result.samples, offset * item);
    opts.onBatch?.(offset + count, opts.n);
  }
  return { samples, seconds: (performance.now() - start) / 1000 };
}
