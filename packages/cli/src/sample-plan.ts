import { freemem } from 'node:os';
import type { DenoiserModel } from '@onnx-ddpm/sampler';
import { CliError } from './command.js';

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
/** Items of the probe calls that measure time and memory per item. */
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
 * Measures one item's time and memory in a model call with two probe calls of a few items (the first one
 * also warms the runtime up), then picks the batch — `batchFlag`, else as many items as half the free
 * memory holds, at most 1024 — and estimates the run: `steps` calls per batch, and the samples of all `n`
 * items kept for the outputs (`keptBytesPerItem` each).
 */
export async function planSampling(
  model: DenoiserModel,
  opts: { n: number; steps: number; guided: boolean; batchFlag: number | undefined; keptBytesPerItem: number },
): Promise<SamplePlan> {
  const { sampleShape, numClasses } = model.info;
  const itemSize = sampleShape.reduce((a, b) => a * b, 1);
  const probe = Math.min(opts.n, opts.batchFlag ?? PROBE_BATCH, PROBE_BATCH) * (opts.guided ? 2 : 1);
  const x = new Float32Array(probe * itemSize);
  const t = new Int32Array(probe);
  const labels = numClasses > 0 ? new Int32Array(probe).fill(numClasses) : null;
  const call = () =>
    model.predict(x, [probe, ...sampleShape], t, labels).catch((err: unknown) => {
      throw isOutOfMemory(err) ? outOfMemoryError(probe) : err;
    });
  const rssBefore = process.memoryUsage().rss;
  await call();
  const start = performance.now();
  await call();
  const perModelItem = (performance.now() - start) / 1000 / probe;
  const bytesPerModelItem = Math.max(0, process.memoryUsage().rss - rssBefore) / probe + 4 * 4 * itemSize;
  const scale = opts.guided ? 2 : 1;
  const perItem = { seconds: perModelItem * scale, bytes: bytesPerModelItem * scale };
  const fits = Math.floor(freemem() / 2 / perItem.bytes);
  const batch = opts.batchFlag ?? Math.max(1, Math.min(opts.n, MAX_DEFAULT_BATCH, fits));
  return {
    batch,
    batches: Math.ceil(opts.n / batch),
    seconds: perItem.seconds * opts.n * opts.steps,
    bytes: process.memoryUsage().rss + batch * perItem.bytes + opts.n * opts.keptBytesPerItem,
    perItem,
  };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${bytes.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.round(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
