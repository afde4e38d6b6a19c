import type { TrainBatch } from './batch-types.js';
import { type ReplicaInit, TrainReplica } from './replica.js';
import type { ReplicaState } from './state.js';

/** What the training loop drives: one local replica, or a pool of worker replicas that average gradients. */
export interface TrainEngine {
  /** Runs (0-based) step `step` on `batch` and applies the update. */
  step(batch: TrainBatch, step: number): Promise<{ loss: number; gradNorm: number }>;
  getState(): Promise<ReplicaState>;
  dispose(): Promise<void>;
  /** e.g. "local replica on wasm" or "2 workers on wasm". */
  readonly description: string;
}

/** A TrainEngine with one replica in this thread, on the current TF.js backend. */
export function createLocalEngine(init: ReplicaInit, backendName = 'the current backend'): TrainEngine {
  const replica = TrainReplica.create(init);
  return {
    description: `local replica on ${backendName}`,
    async step(batch, step) {
      const { loss, grads } = await replica.computeGradients(batch);
      const { gradNorm } = replica.applyGradients(grads, step);
      return { loss, gradNorm };
    },
    async getState() {
      return replica.getState();
    },
    async dispose() {
      replica.dispose();
    },
  };
}
