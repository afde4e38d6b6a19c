import type { TrajectorySettings } from '@onnx-ddpm/sampler';
import { PhiloxNoise } from '@onnx-ddpm/schedule';
import type { ModelUnderTest } from './model-under-test.js';
import type { ParityJob } from './runtime.js';

/**
 * The shared inputs: one model call on x_T of the seed at timesteps spread over [0, T) (labels
 * cycling through every class and "no label"), and the trajectory with labels 0, 1, … in turn.
 */
export function makeJob(model: ModelUnderTest, trajectory: Omit<TrajectorySettings, 'classLabels'>): ParityJob {
  const { batch } = trajectory;
  const T = model.config.num_train_timesteps;
  const shape = [batch, ...model.sampleShape];
  const sample = new Float32Array(shape.reduce((a, b) => a * b, 1));
  new PhiloxNoise(trajectory.seed).fill(0, sample);
  const timestep = Int32Array.from({ length: batch }, (_, i) => Math.floor(((2 * i + 1) * T) / (2 * batch)));
  const k = model.numClasses;
  return {
    modelBytes: model.bytes,
    config: model.config,
    sampleShape: model.sampleShape,
    numClasses: k,
    call: { sample, shape, timestep, classLabels: k > 0 ? Int32Array.from({ length: batch }, (_, i) => i % (k + 1)) : null },
    trajectory: { ...trajectory, classLabels: k > 0 ? Int32Array.from({ length: batch }, (_, i) => i % k) : null },
  };
}
