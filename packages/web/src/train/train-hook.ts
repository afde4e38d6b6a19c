// window.onnxDdpmTrain: the Train mode's programmatic hook (for `onnx-ddpm parity --train` and the
// browser tests; documented in packages/web/README.md). Calls run in the page's training worker.
import type { ReplicaInit, TrainBatch } from '@onnx-ddpm/trainer';
import type { TrainerClient } from './client.js';
import type { OneStepResult, RunState, TrainBackend } from './protocol.js';

/** An array argument: a typed array from page code, a plain number array through playwright's evaluate. */
type Numbers = ArrayLike<number>;

export interface OnnxDdpmTrainHook {
  /** The kept run: configuration, step, metrics and every weight (plain arrays). */
  runState(): Promise<RunState>;
  /** The kept run's TF.js forward with its EMA weights, on inputs in the ONNX layout (NCHW or [N, D]). */
  forward(sample: Numbers, shape: number[], timestep: Numbers, classLabels: Numbers | null): Promise<Float32Array>;
  /** One training step from `init` on `batch` on a TF.js backend of this page. */
  trainStep(backend: TrainBackend, init: ReplicaInit, batch: TrainBatch): Promise<OneStepResult & { device: string }>;
}

/** Arrays that crossed playwright's evaluate as plain numbers, typed again. */
function typedBatch(b: TrainBatch): TrainBatch {
  return { ...b, x0: Float32Array.from(b.x0), eps: Float32Array.from(b.eps), t: Int32Array.from(b.t), labels: b.labels ? Int32Array.from(b.labels) : null };
}

export function installTrainHook(client: () => TrainerClient): OnnxDdpmTrainHook {
  const hook: OnnxDdpmTrainHook = {
    runState: () => client().runState(),
    forward: (sample, shape, timestep, classLabels) =>
      client().forward({ sample: Float32Array.from(sample), shape, timestep: Int32Array.from(timestep), classLabels: classLabels ? Int32Array.from(classLabels) : null }),
    trainStep: (backend, init, batch) => client().trainStep(backend, init, typedBatch(batch)),
  };
  (window as unknown as { onnxDdpmTrain: OnnxDdpmTrainHook }).onnxDdpmTrain = hook;
  return hook;
}
