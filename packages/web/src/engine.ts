import { PhiloxNoise, type Scheduler } from '@onnx-ddpm/schedule';
import {
  type ModelSource,
  OrtWebEpsModel,
  type SampleResult,
  type SampleStepEvent,
  sampleWeb,
  type WebExecutionProvider,
} from '@onnx-ddpm/sampler/web';
import { loadOrt } from './ort.js';

/** What one Generate needs besides the model. */
export interface GenerateSettings {
  /** The DDPM or DDIM scheduler with its steps (and η). */
  scheduler: Scheduler;
  seed: number;
  batch: number;
  /** One label per item, or null for "no label" / unconditional. */
  classLabels: Int32Array | null;
  guidance?: number;
  callbackEvery?: number;
  onStep?: (e: SampleStepEvent) => void | Promise<void>;
  signal?: AbortSignal;
}

/** A session on the first provider of `preference` that works; `onWarning` hears why others were skipped. */
export async function openModel(
  source: ModelSource,
  preference: readonly WebExecutionProvider[],
  onWarning?: (message: string) => void,
): Promise<OrtWebEpsModel> {
  return OrtWebEpsModel.create(source.bytes, {
    ort: await loadOrt(),
    executionProviders: preference,
    sampleShape: source.sampleShape,
    numClasses: source.numClasses,
    name: source.name,
    onWarning,
  });
}

/** The reverse process with the page's settings; noise from Philox(seed), as `onnx-ddpm sample --seed` draws it. */
export function generate(model: OrtWebEpsModel, s: GenerateSettings): Promise<SampleResult> {
  return sampleWeb(model, s.scheduler, {
    batch: s.batch,
    noise: new PhiloxNoise(s.seed),
    classLabels: s.classLabels,
    guidance: s.guidance,
    callbackEvery: s.callbackEvery,
    onStep: s.onStep,
    signal: s.signal,
  });
}
