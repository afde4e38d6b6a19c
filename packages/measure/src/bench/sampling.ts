// Sampling speed of one parity runtime (packages/measure/src/parity), run in a child process of its own
// so that its peak RSS is its own: the same adapters, jobs and seeded DDIM trajectories as `parity`.
import { type ParityJob, RUNTIME_IDS, type RuntimeId, RuntimeUnavailable } from '../parity/runtime.js';
import { oneLine } from '../parity/run-parity.js';
import { parityRuntimes } from '../parity/runtimes.js';
import { descendantsPeakRssBytes, selfPeakRssBytes } from './machine.js';

/** The parity runtimes that sample an ONNX model (TF.js runs the trainer's weights, not the file). */
export const SAMPLING_RUNTIME_IDS = RUNTIME_IDS.filter((id) => id !== 'tfjs');
export type SamplingRuntimeId = Exclude<RuntimeId, 'tfjs'>;

/** wasm and WebGPU runtimes: ≈10× slower than native ORT here, and WebGPU runs on SwiftShader without a GPU. */
export function isSlowRuntime(id: SamplingRuntimeId): boolean {
  return id.includes('wasm') || id.includes('webgpu');
}

/** One timed trajectory. */
export interface SampleRun {
  batch: number;
  steps: number;
  msPerStep: number;
  /** The model calls' part of msPerStep; null where the runtime does not report it. */
  modelMsPerStep: number | null;
}

export interface SampleChildResult {
  status: 'ran' | 'skipped' | 'failed';
  reason?: string;
  detail?: string;
  runs: SampleRun[];
  /** Peak RSS of the process(es) that held the model, and which they were. */
  peakRssBytes: number | null;
  peakRssOf: string;
  /** Why the larger batch sizes were not run (the time cap), if they were not. */
  capped?: string;
}

/**
 * Runs `warmup` (untimed, when given), then the jobs in order, on one runtime; stops at the first
 * error (what ran so far is kept), and before a job whose time, projected linearly in the batch size
 * from the last one, exceeds `maxRunSeconds`. Each job is one model call and one trajectory on a
 * fresh session of its batch size.
 */
export async function benchRuntime(id: SamplingRuntimeId, warmup: ParityJob | null, jobs: readonly ParityJob[], maxRunSeconds: number): Promise<SampleChildResult> {
  const host = parityRuntimes(null, [id]);
  const runtime = host.runtimes.find((r) => r.id === id)!;
  const result: SampleChildResult = { status: 'ran', runs: [], peakRssBytes: null, peakRssOf: 'this child process' };
  let childPeak = 0;
  try {
    if (warmup) await runtime.run(warmup);
    for (const job of jobs) {
      const last = result.runs.at(-1);
      if (last) {
        const { batch, steps } = job.trajectory;
        const projected = (last.msPerStep * (batch / last.batch) * (steps + 1)) / 1000;
        if (projected > maxRunSeconds) {
          result.capped = `batch ${batch} not run: projected ${projected.toFixed(0)} s > the cap of ${maxRunSeconds} s (--max-run-s)`;
          break;
        }
      }
      const out = await runtime.run(job);
      result.detail = out.detail;
      result.runs.push({ batch: job.trajectory.batch, steps: job.trajectory.steps, msPerStep: out.msPerStep, modelMsPerStep: out.modelMsPerStep ?? null });
      childPeak = Math.max(childPeak, out.peakRssBytes ?? 0);
    }
    if (id.startsWith('chromium-')) {
      result.peakRssBytes = descendantsPeakRssBytes();
      result.peakRssOf = "Chromium's processes (sum of each one's peak)";
    }
  } catch (err) {
    result.status = err instanceof RuntimeUnavailable ? 'skipped' : 'failed';
    result.reason = oneLine(err);
  } finally {
    await host.dispose();
  }
  if (result.runs.length === 0) {
    result.peakRssBytes = null;
  } else if (childPeak > 0) {
    result.peakRssBytes = childPeak;
    result.peakRssOf = 'the onnxruntime-node child process';
  } else if (!id.startsWith('chromium-')) {
    result.peakRssBytes = selfPeakRssBytes();
  }
  return result;
}
