// How `onnx-ddpm eval` batches its sampling: the largest batch the free memory allows, and the
// time and memory that costs, measured on the model itself before the run starts.
import { freemem } from 'node:os';
import type { DenoiserModel } from '@onnx-ddpm/sampler';
import { formatBytes, formatDuration } from '../cost/format.js';
import { BATCH_MEMORY_SHARE, batchThatFits, measureModelCost, secondsPerItemAt } from '../cost/model-cost.js';
import type { MethodSpec } from './methods.js';

export interface EvalPlan {
  /** Items per sampler call. */
  batch: number;
  /** Whether `batch` was chosen from the memory measurement (else it was given). */
  auto: boolean;
  /** Process memory one more sample takes (both calls of a guided one; RSS growth over the probe calls). */
  bytesPerItem: number;
  /** Free memory of the machine when planned. */
  freeBytes: number;
  /** Model-call time per item of a model call (warm, timed on `timedItems` items). */
  msPerItem: number;
  /** Items of the timed call: the batch's (both calls of a guided sample), at most TIMED_ITEMS_MAX. */
  timedItems: number;
  /** Sampling seconds of every setting: Σ steps × n × msPerItem (× 2 guided: the cond/uncond pair). */
  seconds: number;
  /** Resident memory expected at `batch`: now + batch × bytesPerItem. */
  peakBytes: number;
}

export interface EvalPlanOptions {
  n: number;
  methods: MethodSpec[];
  /** Guidance scales; undefined: no guidance. */
  guidances: (number | undefined)[];
  /** A batch given by the user (planned as is), or undefined to choose one. */
  batch?: number;
  /** Free memory to plan with (default os.freemem()). */
  freeBytes?: number;
}

/** Samples of the probe calls. */
const PROBE_SAMPLES = 8;
/** The most items the timing call takes: per-item time stops falling well before this (one call: about a second for a 28×28 U-Net on 2 cores). */
const TIMED_ITEMS_MAX = 256;

/**
 * Measures the model's memory per item (guided when any setting is: the cond/uncond pair in one call),
 * plans the largest batch that fits, and times a call of that batch (at most TIMED_ITEMS_MAX items) for
 * the model time of every setting: the probe's few items would overstate it (2.9× on the 28×28 U-Net).
 */
export async function planEval(model: DenoiserModel, opts: EvalPlanOptions): Promise<EvalPlan> {
  const calls = opts.guidances.some((g) => g !== undefined) ? 2 : 1;
  const probeItems = PROBE_SAMPLES * calls;
  const cost = await measureModelCost(model, { items: probeItems });
  const bytesPerItem = calls * cost.bytesPerItem;
  const freeBytes = opts.freeBytes ?? freemem();
  const batch = opts.batch ?? batchThatFits(bytesPerItem, { max: opts.n, freeBytes });
  const timedItems = Math.min(batch * calls, Math.max(probeItems, TIMED_ITEMS_MAX));
  const msPerItem = 1000 * (timedItems === probeItems ? cost.secondsPerItem : await secondsPerItemAt(model, timedItems));
  let seconds = 0;
  for (const spec of opts.methods) {
    for (const g of opts.guidances) seconds += (spec.steps * opts.n * msPerItem * (g === undefined ? 1 : 2)) / 1000;
  }
  return { batch, auto: opts.batch === undefined, bytesPerItem, freeBytes, msPerItem, timedItems, seconds, peakBytes: cost.rss + batch * bytesPerItem };
}

/** One line for the log: the batch, why, and the time and memory the run is expected to take. */
export function formatEvalPlan(plan: EvalPlan, settings: number, n: number): string {
  const why = plan.auto
    ? `the most that fits in ${100 * BATCH_MEMORY_SHARE}% of the ${formatBytes(plan.freeBytes, 'GiB')} free at ${formatBytes(plan.bytesPerItem, 'MiB')} per item`
    : 'as given';
  return `plan: batch ${plan.batch} (${why}); sampling ${settings} setting${settings === 1 ? '' : 's'} × ${n} samples ≈ ${formatDuration(plan.seconds)}, memory ≈ ${formatBytes(plan.peakBytes, 'GiB')}`;
}
