import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '@onnx-ddpm/trainer/node';
import { MAIN } from './cli-helpers.js';

// Runs the built CLI (`pnpm build` first; cli-helpers' MAIN). WebGPU here is SwiftShader (the CPU): tiny models, few steps.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const tmp = mkdtempSync(join(tmpdir(), 'ddpm-webgpu-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TINY = JSON.stringify({ model: { hidden: 16, layers: 1, timeEmbedDim: 8 } });

/** The CLI with this process's environment minus any Vulkan settings (as a user would start it). */
function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const { VK_ICD_FILENAMES: _icd, LD_LIBRARY_PATH: _ld, ...env } = process.env;
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 600_000, env: { ...env, ...extraEnv } });
  return { code: r.status, stderr: r.stderr };
}

describe.skipIf(!existsSync(SWIFTSHADER_ICD))('onnx-ddpm train --backend webgpu (SwiftShader)', () => {
  it('finds SwiftShader with no environment set by hand, trains, resumes and exports a parity-checked model', async () => {
    const run = join(tmp, 'w');
    const first = cli(['train', '--data', 'toy:moons', '--backend', 'webgpu', '--steps', '2', '--batch', '16', '--config', TINY, '--out', run, '--preview-every', '0']);
    expect(first.stderr).toMatch(/running on SwiftShader/);
    expect(first.stderr).toMatch(/^backend: webgpu \(WebGPU on google swiftshader .*\(software\)\)$/m);
    expect(first.stderr).toMatch(/engine: one replica on webgpu/);
    expect(first.code, first.stderr).toBe(0);
    const onnx = join(tmp, 'w.onnx');
    const resumed = cli(['train', '--out', run, '--resume', '--backend', 'webgpu', '--steps', '3', '--export', onnx]);
    expect(resumed.stderr).toMatch(/resuming .* at step 2/);
    expect(resumed.stderr).toMatch(/exported .*w\.onnx .*max abs diff/);
    expect(resumed.code, resumed.stderr).toBe(0);
    const ckpt = await loadCheckpoint(run);
    expect(ckpt.step).toBe(3);
    expect(ckpt.metrics.backend).toBe('webgpu');
  }, 1_200_000);

  it('auto never trains on a software adapter and says why it skipped it', () => {
    const r = cli(['train', '--data', 'toy:moons', '--backend', 'auto', '--steps', '1', '--batch', '8', '--config', TINY, '--out', join(tmp, 'auto'), '--preview-every', '0'], {
      LD_LIBRARY_PATH: '/usr/lib/chromium',
      VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    });
    expect(r.stderr).toMatch(/^ {2}skipped webgpu: only a software adapter, google swiftshader .*\(software\) \(--backend webgpu trains on it\)$/m);
    expect(r.stderr).not.toMatch(/backend: webgpu/);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('--workers > 1 on webgpu is a usage error', () => {
    const r = cli(['train', '--data', 'toy:moons', '--backend', 'webgpu', '--workers', '2', '--steps', '1', '--out', join(tmp, 'workers')]);
    expect(r.stderr).toMatch(/--workers > 1 needs the wasm or cpu backend \(webgpu uses the whole device by itself\)/);
    expect(r.code).toBe(2);
  });
});
