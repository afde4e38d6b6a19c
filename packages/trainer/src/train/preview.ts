import * as tf from '@tensorflow/tfjs-core';
import { ddim, inferenceTimesteps, PhiloxNoise, runReverseLoop, type SchedulerConfig } from '@onnx-ddpm/schedule';
import type { EpsNet } from '../model/index.js';

/** What a quick deterministic (η = 0) DDIM preview draws. */
export interface PreviewOptions {
  count: number;
  /** Number of DDIM steps. */
  steps: number;
  /** Seed of the x_T noise (PhiloxNoise). */
  seed: number;
}

/** Shape of `count` samples of a model: [N, H, W, C] or [N, D]. */
export function sampleShape(model: EpsNet, count: number): number[] {
  const c = model.config;
  return c.kind === 'unet' ? [count, c.imageSize, c.imageSize, c.channels] : [count, c.dataDim];
}

/**
 * Draws samples with the model's current weights by a short DDIM loop (Song et al. 2021, η = 0) on the
 * schedule package's loop skeleton. Each step goes to the next of the spacing's timesteps (for the
 * default leading spacing the same as `onnx-ddpm sample --method ddim`'s t − T // N). A
 * class-conditional model gets labels 0, 1, 2, … cycling over its classes.
 */
export async function sampleDdim(
  model: EpsNet,
  scheduler: SchedulerConfig,
  opts: PreviewOptions,
): Promise<{ samples: Float32Array; shape: number[] }> {
  const shape = sampleShape(model, opts.count);
  const ddimScheduler = ddim(scheduler, { timesteps: inferenceTimesteps(scheduler, Math.min(opts.steps, scheduler.num_train_timesteps)), eta: 0 });
  const size = shape.reduce((a, b) => a * b, 1);
  let x: Float32Array = new Float32Array(size);
  const numClasses = model.config.numClasses;
  const labels = numClasses > 0 ? tf.tensor1d(Int32Array.from({ length: opts.count }, (_, i) => i % numClasses), 'int32') : null;
  let next: Float32Array = new Float32Array(size);
  const eps = new Float32Array(size);
  try {
    const loop = { noise: new PhiloxNoise(opts.seed), batch: opts.count, itemSize: size / opts.count };
    await runReverseLoop(ddimScheduler, loop, {
      start: (xT) => {
        x = xT;
      },
      step: async ({ k, t }) => {
        const out = tf.tidy(() =>
          model.apply(tf.tensor(x, shape, 'float32'), tf.fill([opts.count], t, 'int32') as tf.Tensor1D, labels, {
            training: false,
          }),
        );
        eps.set((await out.data()) as Float32Array);
        out.dispose();
        // Each item shares one t, so one call covers the batch.
        ddimScheduler.step(k, { sample: x, modelOutput: eps, noise: null, out: next });
        [x, next] = [next, x];
      },
    });
  } finally {
    labels?.dispose();
  }
  return { samples: x, shape };
}
