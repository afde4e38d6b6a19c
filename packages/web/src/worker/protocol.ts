// Messages between the page (worker/client.ts) and its sampling worker (worker/sampler-worker.ts).
import type { InterpolateSettings, SampleSettings, SamplingMethod, WebExecutionProvider } from '../sampler.js';
import type { WebGpuStatus } from './webgpu-adapter.js';

export type { InterpolateSettings, SamplingMethod, WebExecutionProvider, WebGpuStatus };

/** The worker's runtime, once onnxruntime-web is loaded. */
export interface RuntimeInfo {
  /** wasm threads onnxruntime-web uses (1 without cross-origin isolation). */
  threads: number;
  webgpu: WebGpuStatus;
}

/** The loaded model as the page shows it. */
export interface ModelInfo {
  name: string;
  /** Term/value rows of the model card. */
  card: [string, string][];
  /** One item's shape: [D] for points, [C, H, W] for images. */
  sampleShape: number[];
  numClasses: number;
  /** The training data set's name from the metadata (fashion-mnist, mnist, …), if any. */
  dataset: string | null;
  /** T of the scheduler config. */
  trainTimesteps: number;
  executionProvider: WebExecutionProvider;
  /** Warnings about the model (schedule mismatch, a skipped provider). */
  warnings: string[];
}

/** One run's settings, as the page's fields give them. */
export interface RunSettings extends SampleSettings {
  /** Send x_t and x̂₀ every this many steps (and after the last). */
  previewEvery: number;
  /** How the worker draws x̂₀ previews on its canvas (when the page gave it one). */
  preview?: PreviewLayout;
}

/** The preview's layout: the plot's size for points, row labels for class rows. */
export interface PreviewLayout {
  cssSize: number;
  pixelRatio: number;
  /** Class of each item and the row names, when the batch goes through the classes in turn. */
  rows: { labels: Int32Array; names: string[] } | null;
}

export type Request =
  /** `threads`: wasm threads to use instead of the default (cores − 1, at most 4). */
  | { type: 'init'; ortBase: string; threads?: number }
  /** Opens bytes as the model to sample; the previous one stays loaded when this fails. */
  | { type: 'open'; bytes: Uint8Array; name: string; configJson?: string; ep: WebExecutionProvider }
  | { type: 'run'; settings: RunSettings }
  /** An interpolation strip's frames, on the loaded model or (`model`, the hook's) on these bytes and provider. */
  | { type: 'interpolate'; settings: InterpolateSettings; model?: { bytes: Uint8Array; ep: WebExecutionProvider; schedulerConfigJson?: string } }
  /** The canvas the worker draws x̂₀ previews on, so the page's main thread does not. */
  | { type: 'preview-canvas'; canvas: OffscreenCanvas }
  | { type: 'model-call'; bytes: Uint8Array; ep: WebExecutionProvider; sample: Float32Array; shape: number[]; timestep: Int32Array; classLabels: Int32Array | null }
  | {
      type: 'sample';
      bytes: Uint8Array;
      ep: WebExecutionProvider;
      schedulerConfigJson?: string;
      settings: SampleSettings;
    };

/** Ends the run in progress before its next step (not queued behind it). */
export interface StopRequest {
  type: 'stop';
}

export type OpenResult = { kind: 'loaded'; model: ModelInfo } | { kind: 'needs-config'; name: string };

export interface RunResult {
  samples: Float32Array;
  shape: number[];
  totalMs: number;
  steps: number;
  executionProvider: WebExecutionProvider;
}

/** What a run reports on its way: a phase before the first step ends, then each step. */
export type RunEvent =
  | { kind: 'phase'; text: string }
  /** `drawn`: the worker drew this step's x̂₀ on the preview canvas. */
  | { kind: 'step'; index: number; total: number; t: number; elapsedMs: number; xt?: Float32Array; x0?: Float32Array; drawn?: boolean };

export type Reply =
  | { id: number; type: 'event'; event: RunEvent }
  | { id: number; type: 'result'; value: unknown }
  /** `stopped`: the step the run had finished when the stop request reached it (null: a failure, not a stop). */
  | { id: number; type: 'error'; message: string; stopped: number | null };
