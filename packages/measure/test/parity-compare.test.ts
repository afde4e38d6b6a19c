// The figures `onnx-ddpm parity` reports: max abs, PSNR of [−1, 1] images, the DESIGN.md bounds per
// pair, bitwise schedule-table comparison, and the report's pass/fail and JSON form.
import { psnr as psnrDb } from '@onnx-ddpm/sampler';
import { computeTables, DEFAULT_SCHEDULER_CONFIG, TABLE_NAMES } from '@onnx-ddpm/schedule';
import { describe, expect, it } from 'vitest';
import { callBound, TOLERANCES } from '../src/parity/bounds.js';
import { maxAbsDiff } from '../src/parity/compare.js';
import { buildReport, formatReport, reportToJson } from '../src/parity/report.js';
import { comparePair, type RuntimeReport } from '../src/parity/run-parity.js';
import type { ParityJob, RuntimeOutput } from '../src/parity/runtime.js';
import { compareScheduleTables, type ScheduleTablesReport } from '../src/parity/schedule-tables.js';

const output = (call: number[], final: number[]): RuntimeOutput => ({
  call: Float32Array.from(call),
  final: Float32Array.from(final),
  msPerStep: 1,
  detail: 'test',
});

describe('max abs and PSNR', () => {
  it('max abs is the largest elementwise gap, and NaN is never within a bound', () => {
    expect(maxAbsDiff(Float32Array.from([0, 1, -2]), Float32Array.from([0.5, 1, -1.25]))).toBe(0.75);
    expect(maxAbsDiff(Float32Array.from([0, Number.NaN]), Float32Array.from([0, 0]))).toBe(Number.POSITIVE_INFINITY);
    expect(() => maxAbsDiff(new Float32Array(2), new Float32Array(3))).toThrow(/2 and 3 values/);
  });

  it('PSNR maps [−1, 1] to [0, 1] pixels: an offset δ everywhere gives 10·log10(4/δ²)', () => {
    const a = Float32Array.from({ length: 64 }, (_, i) => -0.9 + (1.8 * i) / 63);
    const b = a.map((v) => v + 0.02);
    expect(psnrDb(a, b)).toBeCloseTo(10 * Math.log10(4 / 0.02 ** 2), 3); // 40.0 dB
    expect(psnrDb(a, a)).toBe(Number.POSITIVE_INFINITY);
    // Values beyond [−1, 1] are clipped like pixels: 1.5 and 3 are both white.
    expect(psnrDb(Float32Array.from([1.5]), Float32Array.from([3]))).toBe(Number.POSITIVE_INFINITY);
    expect(psnrDb(Float32Array.from([Number.NaN]), Float32Array.from([0]))).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('pairs against docs/DESIGN.md', () => {
  it('uses 1e-4 between CPU-class runtimes and 1e-3 once a GPU provider is in the pair', () => {
    expect(callBound('ort-node-cpu', 'ort-web-wasm-node')).toBe(1e-4);
    expect(callBound('tfjs', 'ort-node-cpu')).toBe(1e-4);
    expect(callBound('chromium-webgpu', 'chromium-wasm')).toBe(1e-3);
    expect(callBound('ort-node-cpu', 'ort-node-webgpu')).toBe(1e-3);
    expect(TOLERANCES.trajectoryPsnrDb).toBe(40);
  });

  it('fails a pair whose call or whose final images are out of bounds', () => {
    const ok = comparePair('ort-node-cpu', output([0, 1], [0.5, -0.5]), 'ort-web-wasm-node', output([0, 1 + 5e-5], [0.5, -0.5]));
    expect(ok.pass).toBe(true);
    const badCall = comparePair('ort-node-cpu', output([0, 1], [0.5, -0.5]), 'ort-web-wasm-node', output([0, 1 + 2e-4], [0.5, -0.5]));
    expect(badCall.call).toMatchObject({ pass: false, bound: 1e-4 });
    expect(badCall.pass).toBe(false);
    const gpuCall = comparePair('ort-node-webgpu', output([0, 1], [0.5, -0.5]), 'ort-web-wasm-node', output([0, 1 + 2e-4], [0.5, -0.5]));
    expect(gpuCall.pass).toBe(true);
    // 0.1 off in one of two values: MSE 0.05²/2 → 29 dB
    const badImages = comparePair('ort-node-cpu', output([0], [0.5, -0.5]), 'tfjs', output([0], [0.6, -0.5]));
    expect(badImages.trajectory.psnrDb).toBeCloseTo(10 * Math.log10(2 / 0.05 ** 2), 3);
    expect(badImages.trajectory.pass).toBe(false);
    expect(badImages.pass).toBe(false);
  });
});

describe('schedule tables', () => {
  it("equal when another runtime's tables have the same float32 bits, and names the table that differs", () => {
    const tables = computeTables(DEFAULT_SCHEDULER_CONFIG);
    const asLists = Object.fromEntries(TABLE_NAMES.map((n) => [n, Array.from(tables[n])]));
    expect(compareScheduleTables(DEFAULT_SCHEDULER_CONFIG, asLists, 'test')).toMatchObject({ status: 'ran', equal: true, mismatched: [] });
    const bits = new Uint32Array(Float32Array.from(asLists.alphaBars!).buffer);
    bits[500]! ^= 1; // one ulp
    const offByOneUlp = { ...asLists, alphaBars: Array.from(new Float32Array(bits.buffer)) };
    expect(compareScheduleTables(DEFAULT_SCHEDULER_CONFIG, offByOneUlp, 'test')).toMatchObject({ equal: false, mismatched: ['alphaBars'] });
    // Float64 values that round to the same float32 are not bitwise equal.
    const float64 = { ...asLists, betas: asLists.betas!.map((v, i) => (i === 3 ? v + 1e-12 : v)) };
    expect(compareScheduleTables(DEFAULT_SCHEDULER_CONFIG, float64, 'test')).toMatchObject({ equal: false, mismatched: ['betas'] });
    const { posteriorVariance: _, ...missing } = asLists;
    expect(compareScheduleTables(DEFAULT_SCHEDULER_CONFIG, missing, 'test')).toMatchObject({ equal: false, mismatched: ['posteriorVariance'] });
  });
});

describe('report', () => {
  const job: ParityJob = {
    modelBytes: new Uint8Array(0),
    config: DEFAULT_SCHEDULER_CONFIG,
    sampleShape: [2],
    numClasses: 0,
    call: { sample: new Float32Array(2), shape: [1, 2], timestep: Int32Array.of(500), classLabels: null },
    trajectory: { method: 'ddim', steps: 20, eta: 0, seed: 0, batch: 1, classLabels: null },
  };
  const ran = (id: RuntimeReport['id'], label: string): RuntimeReport => ({ id, label, status: 'ran', detail: 'here', msPerStep: 1, seconds: 0.1 });
  const skipped: RuntimeReport = { id: 'ort-node-cuda', label: 'ORT-node CUDA', status: 'skipped', reason: 'no CUDA provider', seconds: 0 };
  const tables = { status: 'skipped', reason: 'no Chromium' } as const;

  it('passes with identical outputs, writes ∞ dB in the table and "Infinity" in JSON, lists skipped runtimes with the reason', () => {
    const pair = comparePair('ort-node-cpu', output([1, 2], [0, 0]), 'tfjs', output([1, 2], [0, 0]));
    const report = buildReport('test model', job, tables, [ran('ort-node-cpu', 'ORT-node CPU'), skipped, ran('tfjs', 'TF.js')], [pair], 1);
    expect(report.pass).toBe(true);
    const text = formatReport(report);
    expect(text).toMatch(/^ORT-node CPU · TF.js +0\.0e\+0 +≤ 1\.0e-4 +0\.0e\+0 +∞ +pass$/m);
    expect(text).toMatch(/^ORT-node CUDA +skipped +no CUDA provider$/m);
    expect(text).toMatch(/^pass: 1\/1 pairs within bounds, 2 of 3 runtimes ran/m);
    const json = JSON.parse(reportToJson(report));
    expect(json.pairs[0].trajectory.psnrDb).toBe('Infinity');
    expect(json.runtimes[1]).toMatchObject({ status: 'skipped', reason: 'no CUDA provider' });
  });

  it('fails when a pair fails, a runtime that is present errors, or the schedule tables differ', () => {
    const good = comparePair('ort-node-cpu', output([1], [0]), 'tfjs', output([1], [0]));
    const bad = comparePair('ort-node-cpu', output([1], [0]), 'tfjs', output([1.1], [0]));
    const runtimes = [ran('ort-node-cpu', 'ORT-node CPU'), ran('tfjs', 'TF.js')];
    const failing = buildReport('m', job, tables, runtimes, [bad], 1);
    expect(failing.pass).toBe(false);
    expect(formatReport(failing)).toMatch(/FAIL \(call\)$/m);
    const crashed: RuntimeReport = { ...skipped, status: 'failed', reason: 'boom' };
    expect(buildReport('m', job, tables, [...runtimes, crashed], [good], 1).pass).toBe(false);
    const differ: ScheduleTablesReport = { status: 'ran', equal: false, mismatched: ['betas'], summary: 'DIFFER in betas' };
    expect(buildReport('m', job, differ, runtimes, [good], 1).pass).toBe(false);
  });
});
