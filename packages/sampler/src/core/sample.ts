import {
  computeTables,
  ddimStep,
  ddpmStep,
  guidance,
  stepAddsNoise,
  type NoiseSource,
  type SchedulerConfig,
} from '@onnx-ddpm/schedule';
import type { EpsModel } from './eps-model.js';
import { NonFiniteError, SamplerError } from './errors.js';
import { planReverseSteps, type SamplingMethod } from './reverse-timesteps.js';

/** Passed to `onStep` after a reverse step. `xt` and `x0` are the loop's live buffers: copy them to keep them. */
export interface SampleStepEvent {
  /** 1-based index of the reverse step just taken. */
  index: number;
  total: number;
  /** The timestep this step started from. */
  t: number;
  /** x_{t−1} (the state after this step). */
  xt: Float32Array;
  /** x̂_0 predicted at this step. */
  x0: Float32Array;
}

export interface SampleOptions {
  method: SamplingMethod;
  /** DDIM: number of steps (required). DDPM: all T steps when omitted, else strided per timestep_spacing. */
  steps?: number;
  /** DDIM η (0 = deterministic DDIM, 1 ≈ DDPM variance). */
  eta?: number;
  batch: number;
  /** index 0 fills x_T, index k the z of the k-th reverse step (only steps that add noise ask). */
  noise: NoiseSource;
  /** One label per item for a class-conditional model; null/omitted = "no label" for every item. */
  classLabels?: Int32Array | null;
  /** Classifier-free guidance scale s; when set, each step makes ONE model call of batch 2N. */
  guidance?: number;
  /** Call `onStep` every this many steps (and after the last); default 1. */
  callbackEvery?: number;
  onStep?: (e: SampleStepEvent) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface SampleTimings {
  /** Time awaiting the model's forward passes. */
  modelMs: number;
  /** Time in the loop itself: step math, noise, guidance, checks (callbacks excluded). */
  loopMs: number;
  /** Time spent in `onStep` callbacks. */
  callbackMs: number;
  totalMs: number;
  steps: number;
}

export interface SampleResult {
  /** x_0, float32 [N, ...sampleShape]. */
  samples: Float32Array;
  shape: number[];
  timings: SampleTimings;
}

/**
 * Runs the reverse process (Ho et al. 2020, Alg. 2 for DDPM; Song et al. 2021, eq. 12 for DDIM) with
 * any runtime behind `model`. All big buffers are allocated once before the loop.
 */
export async function sample(model: EpsModel, config: SchedulerConfig, opts: SampleOptions): Promise<SampleResult> {
  const startMs = performance.now();
  const { batch, method } = opts;
  const { eta, every, guided, modelBatch, modelLabels } = checkSampleOptions(model, opts);
  const plan = planReverseSteps(config, method, opts.steps);
  const tables = computeTables(config);

  const itemShape = [...model.info.sampleShape];
  const itemSize = itemShape.reduce((a, b) => a * b, 1);
  const size = batch * itemSize;
  // Preallocated state: x_t (updated in place), x̂_0, z and, when guided, the 2N batch.
  const x = new Float32Array(size);
  const x0 = new Float32Array(size);
  const z = new Float32Array(size);
  const modelShape = [modelBatch, ...itemShape];
  const modelTimesteps = new Int32Array(modelBatch);
  const modelInput = guided ? new Float32Array(2 * size) : null;
  const guidedEps = guided ? new Float32Array(size) : null;

  opts.noise.fill(0, x);
  let modelMs = 0;
  let callbackMs = 0;
  const total = plan.t.length;
  for (let k = 0; k < total; k++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('sampling aborted');
    const t = plan.t[k]!;
    const prevT = plan.prevT[k]!;
    modelTimesteps.fill(t);
    if (modelInput) {
      modelInput.set(x, 0);
      modelInput.set(x, size);
    }
    const m0 = performance.now();
    const out = await model.predict(modelInput ?? x, modelShape, modelTimesteps, modelLabels);
    modelMs += performance.now() - m0;
    if (out.length !== modelBatch * itemSize) {
      throw new SamplerError(
        `${model.info.name} returned ${out.length} values for input [${modelShape.join(', ')}] (expected ${modelBatch * itemSize})`,
      );
    }
    let prediction = out;
    if (guidedEps) {
      // ε̃ = ε_u + s·(ε_c − ε_u) (Ho & Salimans 2022, eq. 6)
      guidance(out.subarray(size, 2 * size), out.subarray(0, size), opts.guidance!, guidedEps);
      prediction = guidedEps;
    }
    // Noise index k+1 is drawn only for steps that use it (DDPM: t > 0; DDIM: η > 0, not the last).
    const addsNoise = stepAddsNoise(method, t, prevT, eta);
    if (addsNoise) opts.noise.fill(k + 1, z);
    if (method === 'ddpm') ddpmStep(tables, config, x, prediction, t, prevT, z, x, x0);
    else ddimStep(tables, config, x, prediction, t, prevT, eta, addsNoise ? z : null, x, x0);
    assertFinite(x, k + 1, total, t);
    if (opts.onStep && ((k + 1) % every === 0 || k + 1 === total)) {
      const c0 = performance.now();
      await opts.onStep({ index: k + 1, total, t, xt: x, x0 });
      callbackMs += performance.now() - c0;
    }
  }
  const totalMs = performance.now() - startMs;
  return {
    samples: x,
    shape: [batch, ...itemShape],
    timings: { modelMs, loopMs: totalMs - modelMs - callbackMs, callbackMs, totalMs, steps: total },
  };
}

/** The options of a reverse run after validation, as every loop (core or device-resident) uses them. */
export interface CheckedSampleOptions {
  eta: number;
  every: number;
  guided: boolean;
  /** Items per model call: 2N when guided, else N. */
  modelBatch: number;
  /** Labels of a model call: guided, the N labels then N × "no label" (= numClasses); null when unconditional. */
  modelLabels: Int32Array | null;
}

/** Validates `opts` for `model`; throws a SamplerError naming the field and value. */
export function checkSampleOptions(model: EpsModel, opts: SampleOptions): CheckedSampleOptions {
  const { batch, method } = opts;
  if (method !== 'ddpm' && method !== 'ddim') throw new SamplerError(`method must be 'ddpm' or 'ddim', got '${String(method)}'`);
  if (!Number.isInteger(batch) || batch < 1) throw new SamplerError(`batch must be a positive integer, got ${batch}`);
  const eta = opts.eta ?? 0;
  if (!(eta >= 0)) throw new SamplerError(`eta must be ≥ 0, got ${eta}`);
  if (method === 'ddpm' && opts.eta !== undefined && opts.eta !== 1) {
    throw new SamplerError(`eta applies to DDIM only (DDPM is always η = 1), got eta=${opts.eta} with method 'ddpm'`);
  }
  const every = opts.callbackEvery ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new SamplerError(`callbackEvery must be a positive integer, got ${every}`);
  const numClasses = model.info.numClasses;
  const labels = resolveLabels(numClasses, batch, opts.classLabels);
  const guided = opts.guidance !== undefined;
  if (guided) {
    if (!Number.isFinite(opts.guidance)) throw new SamplerError(`guidance must be a finite number, got ${opts.guidance}`);
    if (numClasses === 0) throw new SamplerError(`classifier-free guidance needs a class-conditional model; ${model.info.name} has no classes`);
    if (!opts.classLabels) throw new SamplerError('classifier-free guidance needs class labels (one per item)');
  }
  const modelBatch = guided ? 2 * batch : batch;
  let modelLabels: Int32Array | null = labels;
  if (guided && labels) {
    // First half conditional, second half "no label" (= numClasses).
    modelLabels = new Int32Array(modelBatch).fill(numClasses);
    modelLabels.set(labels, 0);
  }
  return { eta, every, guided, modelBatch, modelLabels };
}

function resolveLabels(numClasses: number, batch: number, classLabels: Int32Array | null | undefined): Int32Array | null {
  if (numClasses === 0) {
    if (classLabels) throw new SamplerError('class labels were given but the model is unconditional (numClasses = 0)');
    return null;
  }
  if (!classLabels) return new Int32Array(batch).fill(numClasses);
  if (classLabels.length !== batch) {
    throw new SamplerError(`classLabels has ${classLabels.length} entries for a batch of ${batch}`);
  }
  for (const label of classLabels) {
    if (label < 0 || label > numClasses) {
      throw new SamplerError(`class label ${label} is outside [0, ${numClasses}] (${numClasses} = no label)`);
    }
  }
  return classLabels;
}

function assertFinite(x: Float32Array, step: number, total: number, t: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    // v − v is NaN for NaN and ±Infinity, 0 otherwise: one comparison per element.
    if (v - v !== 0) throw new NonFiniteError(step, total, t, i, v);
  }
}
