import { psnr } from '@onnx-ddpm/sampler';
import { callBound, TOLERANCES } from './bounds.js';
import { maxAbsDiff } from './compare.js';
import { type ParityJob, type ParityRuntime, type RuntimeId, type RuntimeOutput, RuntimeUnavailable } from './runtime.js';

export interface RuntimeReport {
  id: RuntimeId;
  label: string;
  /** skipped: this machine lacks it (reason says why); failed: it is here but errored. */
  status: 'ran' | 'skipped' | 'failed';
  reason?: string;
  detail?: string;
  msPerStep?: number;
  seconds: number;
}

export interface PairReport {
  a: RuntimeId;
  b: RuntimeId;
  call: { maxAbsDiff: number; bound: number; pass: boolean };
  /** Final images of the same-seed trajectory; PSNR over (x + 1)/2 pixels. */
  trajectory: { maxAbsDiff: number; psnrDb: number; minPsnrDb: number; pass: boolean };
  pass: boolean;
}

export interface ParityRun {
  runtimes: RuntimeReport[];
  pairs: PairReport[];
}

/** Runs every runtime on the job one after another, then compares every pair that ran. */
export async function runParity(job: ParityJob, runtimes: readonly ParityRuntime[], log: (line: string) => void = () => {}): Promise<ParityRun> {
  const reports: RuntimeReport[] = [];
  const outputs = new Map<RuntimeId, RuntimeOutput>();
  for (const rt of runtimes) {
    const t0 = performance.now();
    const seconds = () => Math.round(performance.now() - t0) / 1000;
    try {
      const out = await rt.run(job);
      outputs.set(rt.id, out);
      reports.push({ id: rt.id, label: rt.label, status: 'ran', detail: out.detail, msPerStep: out.msPerStep, seconds: seconds() });
    } catch (err) {
      const status = err instanceof RuntimeUnavailable ? 'skipped' : 'failed';
      reports.push({ id: rt.id, label: rt.label, status, reason: oneLine(err), seconds: seconds() });
    }
    const r = reports.at(-1)!;
    log(`${r.label}: ${r.status} in ${r.seconds.toFixed(1)} s${r.reason ? ` (${r.reason})` : ''}`);
  }
  const ran = reports.filter((r) => r.status === 'ran').map((r) => r.id);
  const pairs: PairReport[] = [];
  for (let i = 0; i < ran.length; i++) {
    for (let j = i + 1; j < ran.length; j++) {
      pairs.push(comparePair(ran[i]!, outputs.get(ran[i]!)!, ran[j]!, outputs.get(ran[j]!)!));
    }
  }
  return { runtimes: reports, pairs };
}

export function comparePair(a: RuntimeId, outA: RuntimeOutput, b: RuntimeId, outB: RuntimeOutput): PairReport {
  const bound = callBound(a, b);
  const callDiff = maxAbsDiff(outA.call, outB.call);
  const finalPsnr = psnr(outA.final, outB.final);
  const call = { maxAbsDiff: callDiff, bound, pass: callDiff <= bound };
  const trajectory = {
    maxAbsDiff: maxAbsDiff(outA.final, outB.final),
    psnrDb: finalPsnr,
    minPsnrDb: TOLERANCES.trajectoryPsnrDb,
    pass: finalPsnr >= TOLERANCES.trajectoryPsnrDb,
  };
  return { a, b, call, trajectory, pass: call.pass && trajectory.pass };
}

/** The first line of an error (page errors carry a browser stack trace), without playwright's call prefix. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).replace(/^page\.evaluate: /, '').trim();
}
