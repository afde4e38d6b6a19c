// Messages between the page's Train mode (train/client.ts) and its training worker (train/trainer-worker.ts).
import type { OneStepResult, ReplicaInit, TrainBatch, TrainedRun, ToyName } from '@onnx-ddpm/trainer';
import type { WebGpuStatus } from '../worker/webgpu-adapter.js';

/** The TF.js backends the page trains on. */
export type TrainBackend = 'webgpu' | 'wasm';

/** A dropped or opened image file with its path inside the dropped folder ("cats/1.png"; sub-folders are classes). */
export interface ImageFileEntry {
  path: string;
  file: Blob;
}

/** What to train on. */
export type TrainData =
  | { kind: 'toy'; name: ToyName }
  /** IDX images ([N,H,W] or [N,H,W,C], gzipped or not), with optional IDX labels. */
  | { kind: 'idx'; images: { name: string; bytes: Uint8Array }; labels?: { name: string; bytes: Uint8Array } }
  /** Images resized (cover + centre crop) to size×size with 1 or 3 channels. */
  | { kind: 'images'; name: string; files: ImageFileEntry[]; size: number; channels: 1 | 3 };

/** A training run's settings as the Train panel gives them. */
export interface TrainRunSettings {
  data: TrainData;
  backend: TrainBackend;
  steps: number;
  batch: number;
  lr: number;
  /** Preview samples (EMA weights) every this many steps. */
  previewEvery: number;
  seed: number;
  /** Base channels of the U-Net for image data (the CLI's default is 32; the page's is smaller). */
  unetBase: number;
}

/** What the training worker can do. */
export type TrainRequest =
  | { type: 'init'; wasmPaths: string }
  | { type: 'train'; settings: TrainRunSettings }
  /** The kept run's model (EMA weights) as ONNX: the bytes `onnx-ddpm export` writes for the same run. */
  | { type: 'export' }
  /** The kept run: configuration, step, metrics and every weight (for tests and scripts). */
  | { type: 'run-state' }
  /** The kept run's TF.js forward (EMA weights) on inputs in the ONNX layout. */
  | { type: 'forward'; sample: Float32Array; shape: number[]; timestep: Int32Array; classLabels: Int32Array | null }
  /** One training step from `init` on `batch` on a backend (`onnx-ddpm parity --train`'s Chromium rows). */
  | { type: 'train-step'; backend: TrainBackend; init: ReplicaInit; batch: TrainBatch };

/** Ends the run in progress after the step it is in (not queued behind it). */
export interface TrainStopRequest {
  type: 'stop';
}

export interface TrainInitResult {
  webgpu: WebGpuStatus;
  /** The 2-D toys the trainer makes (the page's thread does not load the trainer to ask). */
  toys: ToyName[];
}

/** What a run reports on its way. */
export type TrainEvent =
  | { kind: 'phase'; text: string }
  | { kind: 'data'; description: string; itemShape: number[]; count: number; numClasses: number }
  | { kind: 'step'; step: number; total: number; loss: number; emaLoss: number; elapsedMs: number }
  /** Samples of the EMA weights, [N, D] for points or NCHW images. */
  | { kind: 'preview'; step: number; samples: Float32Array; shape: number[] };

export interface TrainRunResult {
  step: number;
  total: number;
  loss: number;
  emaLoss: number;
  seconds: number;
  /** The backend and its device, e.g. "wasm: WebAssembly SIMD + XNNPACK, 4 threads". */
  device: string;
  /** True when Stop ended it before the last step. */
  stopped: boolean;
  /** The step it had finished when Stop reached the worker (null: not stopped). */
  stopRequestedAfterStep: number | null;
}

export interface ExportResult {
  bytes: Uint8Array;
  name: string;
}

/** The kept run as plain data, with the parameter names and shapes a checkpoint records. */
export interface RunState extends TrainedRun {
  params: { name: string; shape: number[] }[];
}

export type { OneStepResult };

export type TrainReply =
  | { id: number; type: 'event'; event: TrainEvent }
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; message: string };
