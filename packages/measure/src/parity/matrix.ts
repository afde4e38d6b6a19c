// The whole runtime matrix of `onnx-ddpm parity` in one call: the job, every selected runtime,
// the schedule tables, the pairwise comparisons and the report.
import type { TrajectorySettings } from '@onnx-ddpm/sampler';
import { makeJob } from './job.js';
import type { ModelUnderTest } from './model-under-test.js';
import { buildReport, type ParityReport } from './report.js';
import { runParity } from './run-parity.js';
import type { RuntimeId } from './runtime.js';
import { parityRuntimes } from './runtimes.js';

/**
 * Runs `model` on the `selected` runtimes (the others are reported as skipped) with the seeded job
 * of `trajectory`; `startedAt` (performance.now()) dates the report's wall time, model loading included.
 */
export async function runParityMatrix(
  model: ModelUnderTest,
  selected: RuntimeId[],
  trajectory: Omit<TrajectorySettings, 'classLabels'>,
  log: (line: string) => void,
  startedAt = performance.now(),
): Promise<ParityReport> {
  const job = makeJob(model, trajectory);
  const runtimes = parityRuntimes(model.tf, selected);
  try {
    const run = await runParity(job, runtimes.runtimes, log);
    const scheduleTables = await runtimes.scheduleTables(job);
    return buildReport(model.description, job, scheduleTables, run.runtimes, run.pairs, (performance.now() - startedAt) / 1000);
  } finally {
    await runtimes.dispose();
  }
}
