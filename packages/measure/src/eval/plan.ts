// How `onnx-ddpm eval` batches its sampling: the largest batch the free memory allows, and the
// time and memory that costs, measured on the model itself before the run starts.
import { freemem } from 'node:os';
import { type DenoiserModel, sample } from '@onnx-ddpm/sampler';
import { createScheduler, PhiloxNoise, type SchedulerConfig } from '@onnx-ddpm/schedule';
import type { MethodSpec } from './methods.js';

export interface EvalPlan {
  /** Items per sampler call. */
  batch: number;
  /** Whether `batch` was chosen from the memory measurement (else it was given). */
  auto: boolean;
  /** Process memory one more item of a model call takes (RSS growth between two probe calls). */
  bytesPerItem: number;
  /** Free memory of the machine when planned. */
  freeBytes: number;
  /** Model-call time per item of a model call (at the probe batch, warm). */
  msPerItem: number;
  /** Sampling seconds of every setting: Σ steps × n × msPerItem (× 2 guided: the cond/uncond pair). */
  seconds: number;
  /** Resident memory expected at `batch`: now + batch × bytesPerItem (× 2 guided). */
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

/** Share of the free memory a chosen batch may take. */
const MEMORY_SHARE = 0.5;

/** Items of the larger probe call (the first has 1). */
const PROBE_BATCH = 9;

/**
 * Runs one-step model calls (batch 1, then PROBE_BATCH twice, guided when any setting is) and plans
 * from them: the RSS growth per item up to the first PROBE_BATCH call, and the warm call's model time.
 */
export async function planEval(model: DenoiserModel, config: SchedulerConfig, opts: EvalPlanOptions): Promise<EvalPlan> {
  const guided = opts.guidances.some((g) => g !== undefined);
  const guidance = guided ? opts.guidances.find((g) => g !== undefined) : undefined;
  const scheduler = createScheduler(config, { method: 'ddim', steps: 1 });
  const k = model.info.numClasses;
  const probe = (batch: number) =>
    sample(model, scheduler, { batch, noise: new PhiloxNoise(0), classLabels: k > 0 ? Int32Array.from({ length: batch }, (_, i) => i % k) : null, guidance });
  await probe(1);
  const rssBefore = process.memoryUsage().rss;
  await probe(PROBE_BATCH); // grows the arena to this batch; the next call is timed warm
  const rssAfter = process.memoryUsage().rss;
  const { timings } = await probe(PROBE_BATCH);
  const calls = guided ? 2 : 1;
  const itemBytes = 4 * model.info.sampleShape.reduce((a, b) => a * b, 1);
  // At least x_t, x̂₀ and the output of each item (the arena may have had room already).
  const bytesPerItem = Math.max((rssAfter - rssBefore) / PROBE_BATCH, 3 * calls * itemBytes);
  const msPerItem = timings.modelMs / (PROBE_BATCH * calls);
  const freeBytes = opts.freeBytes ?? freemem();
  const fit = Math.floor((MEMORY_SHARE * freeBytes) / bytesPerItem);
  const batch = opts.batch ?? Math.max(1, Math.min(opts.n, fit));
  let seconds = 0;
  for (const spec of opts.methods) {
    for (const g of opts.guidances) seconds += (spec.steps * opts.n * msPerItem * (g === undefined ? 1 : 2)) / 1000;
  }
  return { batch, auto: opts.batch === undefined, bytesPerItem, freeBytes, msPerItem, seconds, peakBytes: rssAfter + batch * bytesPerItem };
}

/** One line for the log: the batch, why, and the time and memory the run is expected to take. */
export function formatEvalPlan(plan: EvalPlan, settings: number, n: number): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  const minutes = plan.seconds < 120 ? `${plan.seconds.toFixed(0)} s` : `${(plan.seconds / 60).toFixed(1)} min`;
  const why = plan.auto ? `the most that fits in ${100 * MEMORY_SHARE}% of the ${gib(plan.freeBytes)} free at ${mib(plan.bytesPerItem)} per item` : 'as given';
  return `plan: batch ${plan.batch} (${why}); sampling ${settings} setting${settings === 1 ? '' : 's'} × ${n} samples ≈ ${minutes}, memory ≈ ${gib(plan.peakBytes)}`;
}
