// The page's one door to @onnx-ddpm/sampler: everything the page and its worker use from the
// sampler comes through here, so a change of the sampler's web API is adapted in this file alone.
import { createScheduler, PhiloxNoise, type SamplingMethod, type SchedulerConfig } from '@onnx-ddpm/schedule';
import {
  loadOrtWeb,
  type ModelSource,
  OrtWebDenoiser,
  type OrtWebModule,
  readModelBytes,
  type SampleResult,
  type SampleStepEvent,
  sampleWeb,
  type TrajectorySettings,
  type WebExecutionProvider,
} from '@onnx-ddpm/sampler/web';

export { blankRaster, blit, defaultScale, imageGridRaster, itemToRaster, type Raster, SAMPLE_COLOR, scatterSvg } from '@onnx-ddpm/sampler/web';
export { readModelBytes };
export type { ModelSource, OrtWebDenoiser, SampleResult, SampleStepEvent, SamplingMethod, WebExecutionProvider };

/**
 * onnxruntime-web from the copy served under `ortBase` (not bundled: its wasm threads load the
 * ORT module itself in workers). Threads need cross-origin isolation (`pnpm serve`); by default
 * one core is left to the page (so drawing previews never waits for the model's threads), up to 4.
 */
export async function loadOrt(ortBase: string, threads?: number): Promise<OrtWebModule> {
  const ort = await loadOrtWeb(`${ortBase}ort.webgpu.min.mjs`);
  ort.env.wasm.wasmPaths = ortBase;
  const cores = navigator.hardwareConcurrency || 1;
  ort.env.wasm.numThreads = crossOriginIsolated ? (threads ?? Math.max(1, Math.min(4, cores - 1))) : 1;
  ort.env.logLevel = 'error';
  return ort;
}

/** A session on the first provider of `preference` that works; `onWarning` hears why others were skipped. */
export async function openModel(
  ort: OrtWebModule,
  source: ModelSource,
  preference: readonly WebExecutionProvider[],
  onWarning?: (message: string) => void,
): Promise<OrtWebDenoiser> {
  return OrtWebDenoiser.create(source.bytes, {
    ort,
    executionProviders: preference,
    sampleShape: source.sampleShape,
    numClasses: source.numClasses,
    name: source.name,
    onWarning,
  });
}

/** What one run samples: the trajectory (method, steps, η, seed, batch, labels) and guidance. */
export interface SampleSettings extends TrajectorySettings {
  guidance?: number;
}

/** What one run needs besides the model. */
export interface GenerateSettings extends SampleSettings {
  callbackEvery?: number;
  onStep?: (e: SampleStepEvent) => void | Promise<void>;
  signal?: AbortSignal;
}

/** The reverse process with the page's settings; noise from Philox(seed), as `onnx-ddpm sample --seed` draws it. */
export function generate(model: OrtWebDenoiser, config: SchedulerConfig, s: GenerateSettings): Promise<SampleResult> {
  const scheduler = createScheduler(config, { method: s.method, steps: s.steps, eta: s.method === 'ddim' ? s.eta : undefined });
  return sampleWeb(model, scheduler, {
    batch: s.batch,
    noise: new PhiloxNoise(s.seed),
    classLabels: s.classLabels,
    guidance: s.guidance,
    callbackEvery: s.callbackEvery,
    onStep: s.onStep,
    signal: s.signal,
  });
}
