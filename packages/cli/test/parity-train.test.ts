// `onnx-ddpm parity --train`: the training-step comparison across TF.js backends, and its measures.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compareTrainSteps,
  relativeMaxDiff,
  TRAIN_TOLERANCES,
  type TrainParityReport,
  type TrainStepOutput,
} from '@onnx-ddpm/measure/parity';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PAGE_ASSETS = join(ROOT, 'packages/web/dist/assets');

/** Builds packages/web/dist unless it is there with Train mode (its bundle installs window.onnxDdpmTrain). */
function buildPageWithTrainMode(): void {
  const built = existsSync(PAGE_ASSETS) && readdirSync(PAGE_ASSETS).some((f) => f.startsWith('index-') && f.endsWith('.js') && readFileSync(join(PAGE_ASSETS, f), 'utf8').includes('onnxDdpmTrain'));
  if (!built) execFileSync('pnpm', ['--filter', '@onnx-ddpm/web', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

function step(loss: number, grad: number[], before: number[], after: number[]): TrainStepOutput {
  const f = (a: number[]) => [Float32Array.from(a)];
  return { loss, grads: f(grad), after: f(after), updates: [Float32Array.from(after, (w, k) => w - before[k]!)], paramNames: ['w'], ms: 0 };
}

describe('training-step measures', () => {
  it('relative difference is max|a − b| over the larger max|·|, symmetric, 0 for equal tensors', () => {
    expect(relativeMaxDiff([1, -4, 2], [1, -4.002, 2])).toBeCloseTo(0.002 / 4.002, 9);
    expect(relativeMaxDiff([1, -4.002, 2], [1, -4, 2])).toBe(relativeMaxDiff([1, -4, 2], [1, -4.002, 2]));
    expect(relativeMaxDiff([0, 0], [0, 0])).toBe(0);
    expect(relativeMaxDiff([1], [Number.NaN])).toBe(Number.POSITIVE_INFINITY);
  });

  it('a gradient 2e-4 off fails; the Adam update leaves out a near-zero gradient that changed sign', () => {
    const lr = 1e-3;
    const x = step(0.5, [1, -0.5, 1e-6], [0.1, 0.2, 0.3], [0.1 - lr, 0.2 + lr, 0.3 - lr]);
    const close = step(0.5, [1, -0.5, -1e-6], [0.1, 0.2, 0.3], [0.1 - lr, 0.2 + lr, 0.3 + lr]);
    const ok = compareTrainSteps('mlp', 'a', 'b', x, close, 1e-8);
    expect(ok.pass).toBe(true);
    expect(ok.update).toMatchObject({ value: 0, comparedElements: 2, skippedElements: 1 });
    const far = step(0.5, [1.0002, -0.5, 1e-6], [0.1, 0.2, 0.3], [0.1 - lr, 0.2 + lr, 0.3 - lr]);
    const bad = compareTrainSteps('mlp', 'a', 'b', x, far, 1e-8);
    expect(bad.gradient).toMatchObject({ pass: false, worst: 'w', bound: TRAIN_TOLERANCES.gradient });
    expect(bad.pass).toBe(false);
    const moved = step(0.5, [1, -0.5, 1e-6], [0.1, 0.2, 0.3], [0.1 - 1.01 * lr, 0.2 + lr, 0.3 - lr]);
    expect(compareTrainSteps('mlp', 'a', 'b', x, moved, 1e-8).update.pass).toBe(false);
  });
});

describe.skipIf(!existsSync(SWIFTSHADER_ICD))('onnx-ddpm parity --train (MLP; the U-Net runs in gpu-check)', () => {
  it('runs wasm, cpu and webgpu (SwiftShader, found with no environment set by hand) and passes every pair', () => {
    const { VK_ICD_FILENAMES: _icd, LD_LIBRARY_PATH: _ld, ...env } = process.env;
    const r = spawnSync(process.execPath, [MAIN, 'parity', '--train', '--models', 'mlp', '--backends', 'wasm,cpu,webgpu', '--json'], { encoding: 'utf8', env, timeout: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as TrainParityReport;
    expect(report.backends.filter((b) => b.status === 'ran').map((b) => b.backend)).toEqual(['wasm', 'cpu', 'webgpu']);
    expect(report.backends.find((b) => b.backend === 'webgpu')?.device).toMatch(/swiftshader.*\(software\)/);
    expect(report.backends.find((b) => b.backend === 'chromium-webgpu')).toMatchObject({ status: 'skipped', reason: 'not selected (--backends)' });
    expect(report.pairs.map((p) => `${p.model} ${p.a}·${p.b}`)).toEqual(['mlp wasm·cpu', 'mlp wasm·webgpu', 'mlp cpu·webgpu']);
    for (const p of report.pairs) {
      expect(p.pass, JSON.stringify(p)).toBe(true);
      expect(p.update.comparedElements).toBeGreaterThan(0);
    }
    expect(report.bounds).toEqual(TRAIN_TOLERANCES);
  }, 900_000);

  it(
    'runs the MLP and the small U-Net in Chromium (the page\'s training worker, wasm and WebGPU) and passes against Node wasm',
    { ...requires(TEST_DEPS.chromium), timeout: 900_000 },
    () => {
      buildPageWithTrainMode();
      const r = spawnSync(process.execPath, [MAIN, 'parity', '--train', '--models', 'mlp,unet-small', '--backends', 'wasm,chromium-wasm,chromium-webgpu', '--json'], {
        encoding: 'utf8',
        timeout: 900_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as TrainParityReport;
      const ran = report.backends.filter((b) => b.status === 'ran');
      expect(ran.map((b) => b.backend)).toEqual(['wasm', 'chromium-wasm', 'chromium-webgpu']);
      expect(ran.find((b) => b.backend === 'chromium-wasm')?.device).toMatch(/^Chromium \S+, wasm: WebAssembly/);
      expect(ran.find((b) => b.backend === 'chromium-webgpu')?.device).toMatch(/^Chromium \S+, webgpu: WebGPU on .*swiftshader.*\(software\)/);
      expect(report.pairs.map((p) => `${p.model} ${p.a}·${p.b}`)).toEqual([
        'mlp wasm·chromium-wasm',
        'mlp wasm·chromium-webgpu',
        'mlp chromium-wasm·chromium-webgpu',
        'unet-small wasm·chromium-wasm',
        'unet-small wasm·chromium-webgpu',
        'unet-small chromium-wasm·chromium-webgpu',
      ]);
      for (const p of report.pairs) {
        expect(p.pass, JSON.stringify(p)).toBe(true);
        expect(p.update.comparedElements).toBeGreaterThan(0);
      }
      expect(report.pass).toBe(true);
    },
  );

  it('a sampling flag with --train is a usage error', () => {
    const r = spawnSync(process.execPath, [MAIN, 'parity', '--train', '--steps', '5', '--backends', 'cpu'], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/--steps applies to the sampling comparison, not to --train/);
    expect(r.status).toBe(2);
  });
});
