// How `onnx-ddpm eval` batches its sampling: the largest batch the free memory allows, and the
// time and memory that costs, measured on the model itself before the run starts.
import { freemem } from 'node:os';
import type { DenoiserModel } from '@onnx-ddpm/sampler';
import { formatBytes, formatDuration } from '../cost/format.js';
import { BATCH_MEMORY_SHARE, batchThatFits, measureModelCost } from '../cost/model-cost.js';
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
  /** Model-call time per item of a model call (at the probe batch, warm). */
  msPerItem: number;
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

/**
 * Measures the model's cost per item (guided when any setting is: the cond/uncond pair in one call) and
 * plans from it: the largest batch that fits, and the model time of every setting.
 */
export async function planEval(model: DenoiserModel, opts: EvalPlanOptions): Promise<EvalPlan> {
  const calls = opts.guidances.some((g) => g !== undefined) ? 2 : 1;
  const cost = await measureModelCost(model, { items: PROBE_SAMPLES * calls });
  const bytesPerItem = calls * cost.bytesPerItem;
  const msPerItem = 1000 * cost.secondsPerItem;
  const freeBytes = opts.freeBytes ?? freemem();
  const batch = opts.batch ?? batchThatFits(bytesPerItem, { max: opts.n, freeBytes });
  let seconds = 0;
  for (const spec of opts.methods) {
    for (const g of opts.guidances) seconds += (spec.steps * opts.n * msPerItem * (g === undefined ? 1 : 2)) / 1000;
  }
  return { batch, auto: opts.batch === undefined, bytesPerItem, freeBytes, msPerItem, seconds, peakBytes: cost.rss + batch * bytesPerItem };
}

/** One line for the log: the batch, why, and the time and memory the run is expected to take. */
export function formatEvalPlan(plan: EvalPlan, settings: number, n: number): string {
  const why = plan.auto
    ? `the most that fits in ${100 * BATCH_MEMORY_SHARE}% of the ${formatBytes(plan.freeBytes, 'GiB')} free at ${formatBytes(plan.bytesPerItem, 'MiB')} per item`
    : 'as given';
  return `plan: batch ${plan.batch} (${why}); sampling ${settings} setting${settings === 1 ? '' : 's'} × ${n} samples ≈ ${formatDuration(plan.seconds)}, memory ≈ ${formatBytes(plan.peakBytes, 'GiB')}`;
}
