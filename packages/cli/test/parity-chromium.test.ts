// `onnx-ddpm parity` across Node and a real Chromium (the built page's window.onnxDdpm hook):
// schedule tables bitwise equal, one call within DESIGN.md's bounds, a 20-step DDIM trajectory
// at ≥ 40 dB for every pair. WebGPU runs on SwiftShader here.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SCHEDULER_CONFIG, schedulerConfigToJSON } from '@onnx-ddpm/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';
import { buildLinearModel, gaussianDataCoefficients, testValues } from '../../sampler/test/node-test-models.js';
import { MAIN } from './cli-helpers.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
// The built page beside the web package's serve module (as measure's Chromium runtimes find it), not by path.
const PAGE = join(dirname(fileURLToPath(import.meta.resolve('@onnx-ddpm/web/serve'))), 'dist', 'index.html');

interface Pair {
  a: string;
  b: string;
  call: { maxAbsDiff: number; bound: number };
  trajectory: { psnrDb: number | string };
  pass: boolean;
}

let dir: string;
beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'pnpm build' first`);
  if (!existsSync(PAGE)) execFileSync('pnpm', ['--filter', '@onnx-ddpm/web', 'build'], { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-parity-chromium-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('onnx-ddpm parity with Chromium', requires(TEST_DEPS.chromium, TEST_DEPS.swiftshader), () => {
  it('schedule tables bitwise equal; ORT-node CPU vs Chromium wasm ≤ 1e-4; WebGPU vs wasm ≤ 1e-3; every pair ≥ 40 dB after 20 DDIM steps', { timeout: 600_000 }, () => {
    const T = 100;
    const config = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };
    const model = join(dir, 'linear.onnx');
    writeFileSync(
      model,
      buildLinearModel({
        itemShape: [1, 4, 4],
        a: gaussianDataCoefficients(T, config.beta_start, config.beta_end, 0.5),
        w: testValues(16, 1),
        T,
        classTable: testValues(3 * 16, 2),
        metadata: {
          'onnx_ddpm.scheduler_config': schedulerConfigToJSON(config),
          'onnx_ddpm.model_config': JSON.stringify({ sample_size: 4, in_channels: 1, num_classes: 2 }),
        },
      }),
    );
    const runtimes = 'ort-node-cpu,ort-web-wasm-node,chromium-wasm,chromium-webgpu';
    const r = spawnSync(process.execPath, [MAIN, 'parity', '--model', model, '--runtimes', runtimes, '--json'], { encoding: 'utf8' });
    const report = JSON.parse(r.stdout) as {
      scheduleTables: { status: string; equal?: boolean };
      runtimes: { id: string; status: string; reason?: string; detail?: string }[];
      pairs: Pair[];
      pass: boolean;
    };
    expect(report.scheduleTables).toMatchObject({ status: 'ran', equal: true });
    for (const id of runtimes.split(',')) expect(report.runtimes.find((rt) => rt.id === id), id).toMatchObject({ status: 'ran' });
    expect(report.runtimes.find((rt) => rt.id === 'chromium-webgpu')!.detail).toMatch(/WebGPU EP on /);
    const pair = (a: string, b: string) => report.pairs.find((p) => p.a === a && p.b === b)!;
    expect(pair('ort-node-cpu', 'chromium-wasm').call.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(pair('chromium-wasm', 'chromium-webgpu').call).toMatchObject({ bound: 1e-3 });
    expect(pair('chromium-wasm', 'chromium-webgpu').call.maxAbsDiff).toBeLessThanOrEqual(1e-3);
    expect(pair('ort-web-wasm-node', 'chromium-webgpu').call.maxAbsDiff).toBeLessThanOrEqual(1e-3);
    expect(report.pairs).toHaveLength(6);
    for (const p of report.pairs) expect(Number(p.trajectory.psnrDb), `${p.a} · ${p.b}`).toBeGreaterThanOrEqual(40);
    expect(report.pass).toBe(true);
    expect(r.status).toBe(0);
  });
});
