import { batchThatFits, measureModelCost } from '@onnx-ddpm/measure/cost';
import type { DenoiserModel } from '@onnx-ddpm/sampler';
import { CliError } from './command.js';

// The sizes and durations of `sample`'s messages, written once for every command.
export { formatBytes, formatDuration } from '@onnx-ddpm/measure/cost';

/** How a sampling run is cut into model batches, and what it is expected to cost. */
export interface SamplePlan {
  /** Items per sampler call (the model sees twice as many with guidance). */
  batch: number;
  batches: number;
  /** Estimated wall time of the whole run. */
  seconds: number;
  /** Estimated peak memory of the process. */
  bytes: number;
  /** Measured cost of one item in one model call. */
  perItem: { seconds: number; bytes: number };
}

/** The largest default batch: beyond it a CPU gains little per item and the memory keeps growing. */
const MAX_DEFAULT_BATCH = 1024;
/** Samples of the probe calls that measure time and memory per item. */
const PROBE_BATCH = 8;

/** ORT's and V8's ways of saying an allocation failed. */
export function isOutOfMemory(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /Failed to allocate|bad_alloc|out of memory|Array buffer allocation failed|Invalid typed array length/i.test(message);
}

/** The error shown for an allocation that failed: one line, the batch, and what to do. */
export function outOfMemoryError(batch: number): CliError {
  return new CliError(`out of memory sampling a batch of ${batch}; give a smaller --batch (or a smaller --n)`);
}

/**
 * Measures one item's time and memory in a model call (`measureModelCost`, on at most as many items as a batch
 * holds), then picks the batch — `batchFlag`, else as many items as half the free memory holds, at most 1024 —
 * and estimates the run: `steps` calls per batch, and the samples of all `n` items kept for the outputs
 * (`keptBytesPerItem` each).
 */
export async function planSampling(
  model: DenoiserModel,
  opts: { n: number; steps: number; guided: boolean; batchFlag: number | undefined; keptBytesPerItem: number },
): Promise<SamplePlan> {
  const scale = opts.guided ? 2 : 1;
  const probe = Math.min(opts.n, opts.batchFlag ?? PROBE_BATCH, PROBE_BATCH) * scale;
  const cost = await measureModelCost(model, { items: probe }).catch((err: unknown) => {
    throw isOutOfMemory(err) ? outOfMemoryError(probe) : err;
  });
  const perItem = { seconds: cost.secondsPerItem * scale, bytes: cost.bytesPerItem * scale };
  const batch = opts.batchFlag ?? batchThatFits(perItem.bytes, { max: Math.min(opts.n, MAX_DEFAULT_BATCH) });
  return {
    batch,
    batches: Math.ceil(opts.n / batch),
    seconds: perItem.seconds * opts.n * opts.steps,
    bytes: cost.rss + batch * perItem.bytes + opts.n * opts.keptBytesPerItem,
    perItem,
  };
}
