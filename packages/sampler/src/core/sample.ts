import { guidance, type NoiseSource, runReverseLoop, type Scheduler } from '@onnx-ddpm/schedule';
import type { EpsModel } from './eps-model.js';
import { NonFiniteError, SamplerError } from './errors.js';

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
  batch: number;
  /** index 0 fills x_T, index k the z of the k-th reverse step (only steps that add noise ask). */
  noise: NoiseSource;
  /** Global index of the first item (default 0): batches or shards of one seeded run give the samples one batch gives. */
  firstSample?: number;
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
 * Runs the reverse process of `scheduler` (the schedule package's loop skeleton) with any runtime
 * behind `model`, on host arrays. All big buffers are allocated once before the loop.
 */
export async function sample(model: EpsModel, scheduler: Scheduler, opts: SampleOptions): Promise<SampleResult> {
  const startMs = performance.now();
  const { batch } = opts;
  const { every, guided, modelBatch, modelLabels } = checkSampleOptions(model, opts);
  const itemShape = [...model.info.sampleShape];
  const itemSize = itemShape.reduce((a, b) => a * b, 1);
  const size = batch * itemSize;
  // Preallocated state: x_t (updated in place), x̂_0 and, when guided, the 2N batch.
  let x: Float32Array = new Float32Array(size);
  const x0 = new Float32Array(size);
  const modelShape = [modelBatch, ...itemShape];
  const modelTimesteps = new Int32Array(modelBatch);
  const modelInput = guided ? new Float32Array(2 * size) : null;
  const guidedEps = guided ? new Float32Array(size) : null;
  const timer = new LoopTimer(startMs);
  const loop = { noise: opts.noise, batch, itemSize, firstSample: opts.firstSample, callbackEvery: every, signal: opts.signal };
  await runReverseLoop(scheduler, loop, {
    start: (xT) => {
      x = xT;
    },
    step: async (s) => {
      modelTimesteps.fill(s.t);
      if (modelInput) {
        modelInput.set(x, 0);
        modelInput.set(x, size);
      }
      const out = await timer.model(() => model.predict(modelInput ?? x, modelShape, modelTimesteps, modelLabels));
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
      scheduler.step(s.k, { sample: x, modelOutput: prediction, noise: s.z, out: x, x0Out: x0 });
      assertFinite(x, s.index, s.total, s.t);
      if (opts.onStep && s.report) await timer.callback(() => opts.onStep!({ index: s.index, total: s.total, t: s.t, xt: x, x0 }));
    },
  });
  return { samples: x, shape: [batch, ...itemShape], timings: timer.timings(scheduler.length) };
}

/** Splits a loop's wall time into model calls, callbacks and the rest. */
export class LoopTimer {
  private modelMs = 0;
  private callbackMs = 0;

  constructor(private readonly startMs: number) {}

  async model<R>(call: () => Promise<R>): Promise<R> {
    const t0 = performance.now();
    const result = await call();
    this.modelMs += performance.now() - t0;
    return result;
  }

  async callback(call: () => unknown): Promise<void> {
    const t0 = performance.now();
    await call();
    this.callbackMs += performance.now() - t0;
  }

  timings(steps: number): SampleTimings {
    const { modelMs, callbackMs } = this;
    const totalMs = performance.now() - this.startMs;
    return { modelMs, loopMs: totalMs - modelMs - callbackMs, callbackMs, totalMs, steps };
  }
}

/** The options of a reverse run after validation, as every loop (core or device-resident) uses them. */
export interface CheckedSampleOptions {
  every: number;
  guided: boolean;
  /** Items per model call: 2N when guided, else N. */
  modelBatch: number;
  /** Labels of a model call: guided, the N labels then N × "no label" (= numClasses); null when unconditional. */
  modelLabels: Int32Array | null;
}

/** Validates `opts` for `model`; throws a SamplerError naming the field and value. */
export function checkSampleOptions(model: EpsModel, opts: SampleOptions): CheckedSampleOptions {
  const { batch } = opts;
  if (!Number.isInteger(batch) || batch < 1) throw new SamplerError(`batch must be a positive integer, got ${batch}`);
  const first = opts.firstSample ?? 0;
  if (!Number.isSafeInteger(first) || first < 0) throw new SamplerError(`firstSample must be an integer ≥ 0, got ${first}`);
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
  return { every, guided, modelBatch, modelLabels };
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

/** Throws a NonFiniteError naming the first NaN or ±Infinity of x_t after reverse step `step` (1-based). */
export function assertFinite(x: Float32Array, step: number, total: number, t: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    // v − v is NaN for NaN and ±Infinity, 0 otherwise: one comparison per element.
    if (v - v !== 0) throw new NonFiniteError(step, total, t, i, v);
  }
}
