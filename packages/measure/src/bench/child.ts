// Entry of a benchmark child process (forked by fork.ts): one sampling runtime or one training
// configuration per process, so that each reports its own peak RSS.
import type { ParityJob } from '../parity/runtime.js';
import { selfPeakRssBytes } from './machine.js';
import { benchRuntime, type SampleChildResult, type SamplingRuntimeId } from './sampling.js';
import { benchTrainConfig, type TrainBenchConfig, type TrainChildResult } from './training.js';

/** Parent → child: one piece of work. */
export type BenchChildRequest =
  | { kind: 'sample'; runtime: SamplingRuntimeId; warmup: ParityJob | null; jobs: ParityJob[]; maxRunSeconds: number }
  | { kind: 'train'; config: TrainBenchConfig };

/** Child → parent: the result, or the error that ended it. */
export type BenchChildReply =
  | { kind: 'sample'; result: SampleChildResult }
  | { kind: 'train'; result: TrainChildResult; peakRssBytes: number }
  | { kind: 'error'; message: string };

async function handle(request: BenchChildRequest): Promise<BenchChildReply> {
  if (request.kind === 'sample') return { kind: 'sample', result: await benchRuntime(request.runtime, request.warmup, request.jobs, request.maxRunSeconds) };
  const result = await benchTrainConfig(request.config);
  return { kind: 'train', result, peakRssBytes: selfPeakRssBytes() };
}

process.once('message', async (request: BenchChildRequest) => {
  let reply: BenchChildReply;
  try {
    reply = await handle(request);
  } catch (err) {
    reply = { kind: 'error', message: (err as Error).message };
  }
  process.send!(reply, () => process.disconnect());
});
