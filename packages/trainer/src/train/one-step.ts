import type { TrainBatch } from './batch-types.js';
import { type ReplicaInit, TrainReplica } from './replica.js';

/** One training step's outputs on the active backend (per parameter, in the model's order). */
export interface OneStepResult {
  loss: number;
  grads: Float32Array[];
  /** The weights before and after the update (clip, Adam with the warmed-up learning rate, EMA). */
  before: Float32Array[];
  after: Float32Array[];
  paramNames: string[];
  /** Milliseconds of the forward and backward pass. */
  ms: number;
}

/**
 * Step 0 of training from `init` on `batch` with the loop's own code (gradients on the active TF.js backend,
 * then the replica's clip + Adam + EMA): what `onnx-ddpm parity --train` compares across backends, in Node
 * and in the web page's training worker.
 */
export async function oneTrainingStep(init: ReplicaInit, batch: TrainBatch): Promise<OneStepResult> {
  const replica = TrainReplica.create(init);
  try {
    const before = replica.getState().weights;
    const t0 = performance.now();
    const { loss, grads } = await replica.computeGradients(batch);
    const ms = performance.now() - t0;
    replica.applyGradients(grads, 0);
    return { loss, grads, before, after: replica.getState().weights, paramNames: replica.model.paramNames.slice(), ms };
  } finally {
    replica.dispose();
  }
}
