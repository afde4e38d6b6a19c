// What one item of a model call costs in time and memory, measured on the model itself, and the batch
// that the free memory holds at that cost: the planning behind `sample` and `eval` batches.
import { freemem } from 'node:os';
import type { DenoiserModel } from '@onnx-ddpm/sampler';

/** The cost of one item of a model call (a guided sample is two items: the cond/uncond pair). */
export interface ModelCost {
  /** Model-call wall time per item (warm). */
  secondsPerItem: number;
  /** Process memory one more item of a call takes: RSS growth per item while the runtime grows to the probe batch, at least the item's own buffers. */
  bytesPerItem: number;
  /** Resident memory of the process after the probe calls. */
  rss: number;
}

/** Items of the probe calls (the default). */
const PROBE_ITEMS = 8;

/**
 * Probes `model` with calls on zeros: one item (warms the runtime up), then `items` three times — the first
 * grows the runtime's memory to that batch (the RSS growth it causes is the memory per item), the third is
 * timed: onnxruntime-node's CPU EP took 2.5× as long on each of the first two calls of a new shape as on
 * later ones (28×28 U-Net, 2026-12-02), which put eval's N = 1000 DDIM-50 at 34 min for 12 min of sampling.
 */
export async function measureModelCost(model: DenoiserModel, opts: { items?: number } = {}): Promise<ModelCost> {
  const { sampleShape, numClasses } = model.info;
  const itemSize = sampleShape.reduce((a, b) => a * b, 1);
  const call = (items: number) =>
    model.predict(new Float32Array(items * itemSize), [items, ...sampleShape], new Int32Array(items), numClasses > 0 ? new Int32Array(items).fill(numClasses) : null);
  const items = Math.max(1, opts.items ?? PROBE_ITEMS);
  await call(1);
  const rssBefore = process.memoryUsage().rss;
  await call(items);
  const rss = process.memoryUsage().rss;
  await call(items);
  const start = performance.now();
  await call(items);
  const secondsPerItem = (performance.now() - start) / 1000 / items;
  // At least the float32 x_t, x̂₀, ε and output of each item (the runtime may have had room already).
  const bytesPerItem = Math.max(0, rss - rssBefore) / items + 4 * 4 * itemSize;
  return { secondsPerItem, bytesPerItem, rss };
}

/** Share of the free memory a chosen batch may take. */
export const BATCH_MEMORY_SHARE = 0.5;

/** The most items at `bytesPerItem` that fit in half of `freeBytes` (default: the machine's free memory), between 1 and `max`. */
export function batchThatFits(bytesPerItem: number, opts: { max: number; freeBytes?: number }): number {
  const fits = Math.floor((BATCH_MEMORY_SHARE * (opts.freeBytes ?? freemem())) / bytesPerItem);
  return Math.max(1, Math.min(opts.max, fits));
}
