// `onnx-ddpm parity` as a user runs it: the built CLI in a child process, real runtimes only.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import { cudaProviderInstalled } from '@onnx-ddpm/sampler/node';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig, schedulerConfigToJSON } from '@onnx-ddpm/schedule';
import { describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';
import { buildLinearModel, gaussianDataCoefficients, type LinearModelSpec, testValues } from '../../sampler/test/node-test-models.js';
import { scratchFolder } from './cli-helpers.js';

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Pair {
  a: string;
  b: string;
  call: { maxAbsDiff: number; bound: number; pass: boolean };
  trajectory: { maxAbsDiff: number; psnrDb: number | string; pass: boolean };
  pass: boolean;
}
interface Report {
  model: { description: string };
  runtimes: { id: string; status: string; reason?: string; detail?: string }[];
  pairs: Pair[];
  trajectory: { method: string; steps: number };
  pass: boolean;
}

function parityJson(args: string[]): { status: number | null; report: Report; stderr: string } {
  const r = cli(['parity', ...args, '--json']);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`parity printed no JSON (exit ${r.status}): ${r.stderr}`);
  }
  return { status: r.status, report, stderr: r.stderr };
}

const pair = (r: Report, a: string, b: string) => r.pairs.find((p) => p.a === a && p.b === b)!;
const status = (r: Report, id: string) => r.runtimes.find((rt) => rt.id === id)!;
const psnr = (p: Pair) => Number(p.trajectory.psnrDb);

const T = 100;
const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };
const linear: LinearModelSpec = {
  itemShape: [1, 4, 4],
  a: gaussianDataCoefficients(T, config.beta_start, config.beta_end, 0.5),
  w: testValues(16, 1),
  T,
  metadata: { 'onnx_ddpm.scheduler_config': schedulerConfigToJSON(config) },
};

/** out = x + RandomNormalLike(x): a model that gives other numbers on every run, so no pair can agree. */
function randomModel(): Uint8Array {
  const g = new GraphBuilder({ name: 'random_eps' });
  const x = g.input('sample', 'float32', ['N', 1, 4, 4]);
  g.input('timestep', 'int64', ['N']);
  const [noise] = g.node('RandomNormalLike', [x], { dtype: 1 });
  g.node('Add', [x, noise!], {}, { outputs: ['out_sample'] });
  g.output('out_sample', 'float32', ['N', 1, 4, 4]);
  return encodeModel(g.build({ metadata: { 'onnx_ddpm.scheduler_config': schedulerConfigToJSON(config) } }));
}

const path = scratchFolder('parity', () => ({
  'linear.onnx': buildLinearModel(linear),
  'nan.onnx': buildLinearModel({ ...linear, nanBelow: 30 }),
  'random.onnx': randomModel(),
}));

describe('onnx-ddpm parity on Node runtimes', () => {
  it('ORT-node CPU vs ORT-web wasm: one call ≤ 1e-4, 20-step DDIM ≥ 40 dB; a missing CUDA provider is skipped with the reason', () => {
    const { status: code, report } = parityJson(['--model', path('linear.onnx'), '--runtimes', 'ort-node-cpu,ort-node-cuda,ort-web-wasm-node']);
    expect(report.trajectory).toMatchObject({ method: 'ddim', steps: 20 });
    expect(status(report, 'ort-node-cpu').status).toBe('ran');
    expect(status(report, 'ort-web-wasm-node').status).toBe('ran');
    if (!cudaProviderInstalled()) {
      expect(status(report, 'ort-node-cuda')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/CUDA execution provider is not installed/) });
    }
    expect(status(report, 'ort-node-webgpu')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^not selected/) });
    const p = pair(report, 'ort-node-cpu', 'ort-web-wasm-node');
    expect(p.call.bound).toBe(1e-4);
    expect(p.call.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(psnr(p)).toBeGreaterThanOrEqual(40);
    expect(report.pairs.every((x) => x.pass)).toBe(true);
    expect(report.pass).toBe(true);
    expect(code).toBe(0);
  });

  it('default model: the built-in tiny U-Net, with its TF.js forward ≤ 1e-4 from ORT-node CPU; prints the table', () => {
    const r = cli(['parity', '--runtimes', 'ort-node-cpu,tfjs']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^model: built-in tiny U-Net \(8×8×1, 2 classes, \d+ parameters, seed-0 initial weights, exported on the fly\)$/m);
    const row = r.stdout.match(/^ORT-node CPU · TF\.js +(\S+) +≤ 1\.0e-4 +(\S+) +(\S+) +pass$/m);
    expect(row).not.toBeNull();
    expect(Number(row![1])).toBeLessThanOrEqual(1e-4);
    expect(Number(row![3])).toBeGreaterThanOrEqual(40);
    expect(r.stdout).toMatch(/^ORT-node CUDA +skipped +not selected/m);
    expect(r.stdout).toMatch(/^pass: 1\/1 pairs within bounds, 2 of \d+ runtimes ran/m);
  });

  it('--checkpoint adds the TF.js forward of a trainer run and exports it as the model', () => {
    const images = Buffer.alloc(16 + 4 * 64);
    for (const [i, v] of [0x803, 4, 8, 8].entries()) images.writeUInt32BE(v, 4 * i);
    for (let i = 0; i < 4 * 64; i++) images[16 + i] = (i * 37) % 256;
    writeFileSync(path('images.idx'), images);
    const model = { kind: 'unet', imageSize: 8, channels: 1, baseChannels: 8, channelMultipliers: [1, 2], numResBlocks: 1, attentionResolutions: [4], groups: 4, dropout: 0, numClasses: 0 };
    writeFileSync(path('tiny.json'), JSON.stringify({ model }));
    const run = path('run');
    const train = cli(['train', '--data', `idx:${path('images.idx')}`, '--out', run, '--steps', '1', '--batch', '2', '--config', path('tiny.json'), '--backend', 'wasm', '--workers', '1', '--preview-every', '1000']);
    expect(train.status, train.stderr).toBe(0);
    const { status: code, report } = parityJson(['--checkpoint', run, '--runtimes', 'ort-node-cpu,tfjs', '--steps', '10']);
    expect(report.model.description).toMatch(/^checkpoint .*run\/checkpoint \(step 1 of idx:.*images\.idx, EMA weights, exported on the fly\)$/);
    expect(status(report, 'tfjs')).toMatchObject({ status: 'ran', detail: expect.stringMatching(/^TF\.js 4\.22\.0 on wasm/) });
    const p = pair(report, 'ort-node-cpu', 'tfjs');
    expect(p.call.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(psnr(p)).toBeGreaterThanOrEqual(40);
    expect(code).toBe(0);
    // The same run compared with an ONNX file of another shape is a usage error.
    const mismatch = cli(['parity', '--checkpoint', run, '--model', path('linear.onnx'), '--runtimes', 'ort-node-cpu']);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr.trim()).toMatch(/^onnx-ddpm parity: --model .*linear\.onnx takes items \[1, 4, 4\] with 0 classes but the checkpoint's model takes \[1, 8, 8\] with 0$/);
  });

  it('a model without TF.js weights lists TF.js as skipped and says how to add it', () => {
    const { report } = parityJson(['--model', path('linear.onnx'), '--runtimes', 'ort-node-cpu,tfjs', '--steps', '2']);
    expect(status(report, 'tfjs')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/give --checkpoint <run-dir>/) });
  });

  it('exits 1 when a pair disagrees (a model with RandomNormalLike inside)', () => {
    const { status: code, report } = parityJson(['--model', path('random.onnx'), '--runtimes', 'ort-node-cpu,ort-web-wasm-node', '--steps', '5']);
    const p = pair(report, 'ort-node-cpu', 'ort-web-wasm-node');
    expect(p.call.pass).toBe(false);
    expect(p.trajectory.pass).toBe(false);
    expect(report.pass).toBe(false);
    expect(code).toBe(1);
  });

  it('exits 1 when a runtime that is present fails, with its error as the reason', () => {
    const { status: code, report } = parityJson(['--model', path('nan.onnx'), '--runtimes', 'ort-node-cpu']);
    expect(status(report, 'ort-node-cpu')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/NaN/) });
    expect(code).toBe(1);
  });

  it('lists its flags and runtimes in --help', () => {
    const r = cli(['parity', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--model', '--checkpoint', '--runtimes', '--method', '--steps', '--eta', '--seed', '--batch', '--json']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('ort-node-cpu,ort-node-webgpu,ort-node-cuda,ort-web-wasm-node,chromium-wasm,chromium-webgpu,tfjs');
  });

  it('bad flags and models are one line and a non-zero exit', () => {
    const cases: [string[], number, RegExp][] = [
      [['--runtimes', 'ort-node-cpu,tpu'], 2, /^onnx-ddpm parity: --runtimes: unknown runtime 'tpu' \(choose from ort-node-cpu, /],
      [['--method', 'euler'], 2, /^onnx-ddpm parity: --method must be ddpm or ddim, got 'euler'$/],
      [['--model', path('linear.onnx'), '--steps', '101'], 2, /exceeds the model's 100 training timesteps$/],
      [['--model', path('missing.onnx')], 1, /^onnx-ddpm parity: model not found: .*missing\.onnx$/],
      [['--checkpoint', path('nothing')], 1, /^onnx-ddpm parity: .*nothing: no checkpoint here/],
    ];
    for (const [args, code, message] of cases) {
      const r = cli(['parity', ...args]);
      expect(r.status, args.join(' ')).toBe(code);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
    }
  });
});

describe('onnx-ddpm parity with ORT-node WebGPU (SwiftShader child process)', requires(TEST_DEPS.swiftshader), () => {
  it('WebGPU vs wasm ≤ 1e-3, and a 20-step DDIM trajectory ≥ 40 dB for every pair', () => {
    const { status: code, report } = parityJson(['--model', path('linear.onnx'), '--runtimes', 'ort-node-cpu,ort-node-webgpu,ort-web-wasm-node']);
    expect(status(report, 'ort-node-webgpu')).toMatchObject({ status: 'ran', detail: expect.stringMatching(/webgpu EP on SwiftShader/) });
    const p = pair(report, 'ort-node-webgpu', 'ort-web-wasm-node');
    expect(p.call.bound).toBe(1e-3);
    expect(p.call.maxAbsDiff).toBeLessThanOrEqual(1e-3);
    expect(report.pairs).toHaveLength(3);
    for (const q of report.pairs) expect(psnr(q), `${q.a} · ${q.b}`).toBeGreaterThanOrEqual(40);
    expect(code).toBe(0);
  });
});
