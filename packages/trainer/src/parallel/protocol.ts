import type { BackendChoice } from '../backend/node.js';
import type { TrainBatch } from '../train/batch-types.js';
import type { ReplicaInit } from '../train/replica.js';
import type { ReplicaState } from '../train/state.js';

/** workerData of one replica worker. */
export interface ReplicaWorkerData {
  init: ReplicaInit;
  backend: 'wasm' | 'cpu';
}

/** Main thread → worker. */
export type ToWorker =
  | { type: 'buffers'; grads: SharedArrayBuffer; averaged: SharedArrayBuffer }
  | { type: 'compute'; batch: TrainBatch }
  | { type: 'apply'; step: number }
  | { type: 'state' }
  | { type: 'dispose' };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'ready'; sizes: number[]; backend: BackendChoice }
  | { type: 'buffers-set' }
  | { type: 'computed'; loss: number; computeMs: number; shareMs: number }
  | { type: 'applied'; gradNorm: number }
  | { type: 'state'; state: ReplicaState }
  | { type: 'disposed' }
  | { type: 'error'; message: string };
