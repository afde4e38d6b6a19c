// The page's one door to @onnx-ddpm/sampler: everything the page and its worker use from the
// sampler comes through here, so a change of the sampler's web API is adapted in this file alone.
import { createScheduler, PhiloxNoise, type SamplingMethod, type Scheduler, type SchedulerConfig } from '@onnx-ddpm/schedule';
import {
  img2imgStart,
  type InterpolateOptions,
  type InterpolationEnd,
  interpolate,
  loadOrtWeb,
  type ModelSource,
  OrtWebDenoiser,
  type OrtWebModule,
  readModelBytes,
  type SampleEditOptions,
  type SampleResult,
  type SampleStepEvent,
  sampleWeb,
  type TrajectorySettings,
  type WebExecutionProvider,
} from '@onnx-ddpm/sampler/web';

export {
  blankRaster,
  blit,
  bytesToItem,
  checkImageItemShape,
  checkMaskSize,
  defaultScale,
  describeImage,
  ImageShapeError,
  imageFit,
  imageGridRaster,
  interpolationStrip,
  isGrayPixels,
  itemToRaster,
  maskFromBytes,
  type Raster,
  SAMPLE_COLOR,
  scatterSvg,
} from '@onnx-ddpm/sampler/web';
export { readModelBytes };
export type { InterpolationEnd, ModelSource, OrtWebDenoiser, SampleResult, SampleStepEvent, SamplingMethod, WebExecutionProvider };

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
  /** Start from an image instead of noise (img2img), with a mask (inpainting); omitted = from noise. */
  start?: StartFrom;
}

/** An image to start from: img2img (`onnx-ddpm sample --init --strength`), inpainting with `mask` (`--mask`, `--resample`). */
export interface StartFrom {
  /** One item [C, H, W] in the model's range [−1, 1]; every item of the batch starts from it. */
  x0: Float32Array;
  /** Noise x_0 to t = s·T and sample from there: 0 = the image, 1 = from noise. */
  strength: number;
  /** Inpainting: one item's mask, 1 = keep x_0 (white), 0 = generate. */
  mask?: Float32Array;
  /** RePaint's runs of each step (default 1). */
  resample?: number;
}

/** The sampler's editing options for a batch that starts from `start` (the CLI's --init/--mask with one input image). */
function startEdits(scheduler: Scheduler, start: StartFrom | undefined, batch: number): SampleEditOptions {
  if (!start) return {};
  const repeat = (item: Float32Array) => {
    const out = new Float32Array(batch * item.length);
    for (let i = 0; i < batch; i++) out.set(item, i * item.length);
    return out;
  };
  const x0 = repeat(start.x0);
  return {
    from: img2imgStart(scheduler, x0, start.strength),
    inpaint: start.mask && { x0, mask: repeat(start.mask), resample: start.resample },
  };
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
    ...startEdits(scheduler, s.start, s.batch),
  });
}

/** An interpolation (`onnx-ddpm interpolate`): two ends, frames, DDIM steps, items per frame, the frames' label. */
export type InterpolateSettings = Pick<InterpolateOptions, 'frames' | 'steps' | 'items'> & {
  from: InterpolationEnd;
  to: InterpolationEnd;
  classLabels: Int32Array | null;
};

/** The interpolation strip's frames through the sampler core's `interpolate`, the CLI's function. */
export function interpolateFrames(
  model: OrtWebDenoiser,
  config: SchedulerConfig,
  s: InterpolateSettings & Pick<InterpolateOptions, 'onStep' | 'onPhase' | 'signal'>,
): Promise<SampleResult> {
  const { from, to, ...opts } = s;
  return interpolate(model, config, from, to, opts);
}
