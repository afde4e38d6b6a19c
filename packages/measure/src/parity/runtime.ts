import type { TrajectorySettings } from '@onnx-ddpm/sampler';
import type { SchedulerConfig } from '@onnx-ddpm/schedule';

/** Names of the runtimes `onnx-ddpm parity` knows, in the order they run and are listed. */
export const RUNTIME_IDS = [
  'ort-node-cpu',
  'ort-node-webgpu',
  'ort-node-cuda',
  'ort-web-wasm-node',
  'chromium-wasm',
  'chromium-webgpu',
  'tfjs',
] as const;
export type RuntimeId = (typeof RUNTIME_IDS)[number];

/** One model call on fixed inputs (NCHW or [N, D]). */
export interface ModelCallInputs {
  sample: Float32Array;
  shape: number[];
  timestep: Int32Array;
  classLabels: Int32Array | null;
}

/** What every runtime is asked to compute: the same model, the same inputs. */
export interface ParityJob {
  modelBytes: Uint8Array;
  config: SchedulerConfig;
  /** Item shape [C, H, W] or [D], and classes (0 = unconditional). */
  sampleShape: number[];
  numClasses: number;
  call: ModelCallInputs;
  /** A seeded reverse trajectory; every runtime draws its noise from PhiloxNoise(seed). */
  trajectory: TrajectorySettings;
}

export interface RuntimeOutput {
  /** The model's output for `job.call`. */
  call: Float32Array;
  /** x_0 of the trajectory, [batch, ...sampleShape]. */
  final: Float32Array;
  msPerStep: number;
  /** The model calls' share of msPerStep, where the runtime reports it (the rest is the reverse loop). */
  modelMsPerStep?: number;
  /** Peak RSS of the process that ran the model, where that was a child process of its own. */
  peakRssBytes?: number;
  /** Where it ran, e.g. the TF.js backend or the WebGPU adapter. */
  detail: string;
}

/** A runtime that cannot run on this machine; the message says why. */
export class RuntimeUnavailable extends Error {
  override name = 'RuntimeUnavailable';
}

export interface ParityRuntime {
  id: RuntimeId;
  label: string;
  /** Runs the job, or throws RuntimeUnavailable when this machine lacks the runtime. */
  run(job: ParityJob): Promise<RuntimeOutput>;
}
