import type { SamplingMethod } from '@onnx-ddpm/schedule';
import { TOLERANCES } from './bounds.js';
import type { PairReport, RuntimeReport } from './run-parity.js';
import type { ParityJob, RuntimeId } from './runtime.js';
import type { ScheduleTablesReport } from './schedule-tables.js';

/** What `onnx-ddpm parity --json` prints. */
export interface ParityReport {
  model: { description: string; sampleShape: number[]; numClasses: number };
  call: { shape: number[]; timestep: number[]; classLabels: number[] | null };
  trajectory: { method: SamplingMethod; steps: number; eta: number; seed: number; batch: number; classLabels: number[] | null };
  bounds: typeof TOLERANCES;
  scheduleTables: ScheduleTablesReport;
  runtimes: RuntimeReport[];
  pairs: PairReport[];
  /** Every pair within its bounds, the schedule tables equal where compared, no runtime failed. */
  pass: boolean;
  seconds: number;
}

export function buildReport(
  description: string,
  job: ParityJob,
  scheduleTables: ScheduleTablesReport,
  runtimes: RuntimeReport[],
  pairs: PairReport[],
  seconds: number,
): ParityReport {
  const { call: c, trajectory: t } = job;
  const list = (a: Int32Array | null) => (a ? Array.from(a) : null);
  const tablesPass = scheduleTables.status === 'ran' ? scheduleTables.equal : scheduleTables.status !== 'failed';
  const pass = pairs.every((p) => p.pass) && tablesPass && runtimes.every((r) => r.status !== 'failed');
  return {
    model: { description, sampleShape: job.sampleShape, numClasses: job.numClasses },
    call: { shape: c.shape, timestep: Array.from(c.timestep), classLabels: list(c.classLabels) },
    trajectory: { method: t.method, steps: t.steps, eta: t.eta, seed: t.seed, batch: t.batch, classLabels: list(t.classLabels) },
    bounds: TOLERANCES,
    scheduleTables,
    runtimes,
    pairs,
    pass,
    seconds,
  };
}

/** JSON has no infinities: a PSNR of identical images is written "Infinity" (Number() reads it back). */
export function reportToJson(report: object): string {
  return JSON.stringify(report, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(header: string[], rows: string[][], rightAligned: readonly number[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export const exp = (x: number) => (Number.isFinite(x) ? x.toExponential(1) : String(x));
const db = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : x > 0 ? '∞' : '−∞');

/** The human-readable table. */
export function formatReport(r: ParityReport): string {
  const label = new Map<RuntimeId, string>(r.runtimes.map((rt) => [rt.id, rt.label]));
  const t = r.trajectory;
  const lines = [
    `model: ${r.model.description}`,
    `one call: sample [${r.call.shape.join(', ')}], t = [${r.call.timestep.join(', ')}]${r.call.classLabels ? `, labels [${r.call.classLabels.join(', ')}]` : ''}; ` +
      `trajectory: ${t.method.toUpperCase()} ${t.steps} steps${t.method === 'ddim' ? `, η = ${t.eta}` : ''}, seed ${t.seed}, batch ${t.batch}`,
    '',
    ...table(
      ['runtime', 'status', 'ms/step', 'detail'],
      r.runtimes.map((rt) => [rt.label, rt.status, rt.msPerStep !== undefined ? rt.msPerStep.toFixed(1) : '', rt.detail ?? rt.reason ?? '']),
      [2],
    ),
    '',
  ];
  if (r.pairs.length > 0) {
    lines.push(
      ...table(
        ['pair', 'call max|Δ|', 'bound', 'final max|Δ|', 'PSNR dB', `(≥ ${r.bounds.trajectoryPsnrDb})`],
        r.pairs.map((p) => [
          `${label.get(p.a)} · ${label.get(p.b)}`,
          exp(p.call.maxAbsDiff),
          `${p.call.pass ? '≤' : '>'} ${exp(p.call.bound)}`,
          exp(p.trajectory.maxAbsDiff),
          db(p.trajectory.psnrDb),
          p.pass ? 'pass' : `FAIL${p.call.pass ? '' : ' (call)'}${p.trajectory.pass ? '' : ' (trajectory)'}`,
        ]),
        [1, 3, 4],
      ),
      '',
    );
  } else {
    lines.push('pairs: fewer than two runtimes ran, nothing to compare', '');
  }
  const s = r.scheduleTables;
  lines.push(`schedule tables, Node vs Chromium: ${s.status === 'ran' ? s.summary : `${s.status}: ${s.reason}`}`);
  const failedPairs = r.pairs.filter((p) => !p.pass).length;
  const ran = r.runtimes.filter((rt) => rt.status === 'ran').length;
  lines.push(
    `${r.pass ? 'pass' : 'FAIL'}: ${r.pairs.length - failedPairs}/${r.pairs.length} pairs within bounds, ${ran} of ${r.runtimes.length} runtimes ran (${r.seconds.toFixed(1)} s)`,
  );
  return `${lines.join('\n')}\n`;
}
