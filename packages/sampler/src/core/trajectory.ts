import type { SamplingMethod } from '@onnx-ddpm/schedule';

/** One seeded reverse run: method, steps, η, noise seed (PhiloxNoise(seed)), batch and labels. */
export interface TrajectorySettings {
  method: SamplingMethod;
  steps: number;
  /** DDIM's η (ignored by DDPM, which is always η = 1). */
  eta: number;
  seed: number;
  batch: number;
  /** One label per item, or null for "no label" / unconditional. */
  classLabels: Int32Array | null;
}
