// The device-resident loop on onnxruntime-node's WebGPU EP (SwiftShader here): x_t stays in GPU
// buffers between steps, and the final samples equal the host loop's on the same EP within
// DESIGN.md's WebGPU bound. Runs scripts/bench-device-loop.mjs, which starts itself with the
// SwiftShader environment (the Vulkan loader reads it at process start).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SCHEDULER_CONFIG, fingerprint, type SchedulerConfig, schedulerConfigToJSON } from '@onnx-ddpm/schedule';
import { afterAll, describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';
import { buildLinearModel, gaussianDataCoefficients, testValues } from './node-test-models.js';

const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../scripts/bench-device-loop.mjs');
const NODE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/node/index.js');
const SWIFTSHADER = { LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' };
const T = 50;
const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };
const dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-device-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tiny 1×4×4 image model with its scheduler config in the metadata, written once. */
function imageModel(): string {
  const model = join(dir, 'img.onnx');
  const bytes = buildLinearModel({
    itemShape: [1, 4, 4],
    a: gaussianDataCoefficients(T, config.beta_start, config.beta_end, 0.5),
    w: testValues(16, 3),
    T,
    metadata: {
      'onnx_ddpm.scheduler_config': schedulerConfigToJSON(config),
      'onnx_ddpm.model_config': JSON.stringify({ model_type: 'unet', sample_size: 4, in_channels: 1, num_classes: 0 }),
      'onnx_ddpm.schedule_fingerprint': fingerprint(config),
    },
  });
  writeFileSync(model, bytes);
  return model;
}

describe('device-resident sampling on onnxruntime-node WebGPU', () => {
  it('keeps outputs on the GPU and samples what the host loop samples (≤ 1e-3)', requires(TEST_DEPS.swiftshader), () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--model', imageModel(), '--batch', '2', '--steps', '5', '--rounds', '1', '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    expect(report.deviceOutputsOnGpu).toBe(true);
    expect(report.steps).toBe(5);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-3);
    expect(report.hostMsPerStep).toBeGreaterThan(0);
    expect(report.deviceMsPerStep).toBeGreaterThan(0);
  });

  it('predict() on a session that keeps outputs on the GPU reads the output back (what the host session gives)', requires(TEST_DEPS.swiftshader), () => {
    const code = `
      const { OrtDenoiser } = await import(${JSON.stringify(NODE_DIST)});
      const x = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i));
      const out = [];
      for (const outputsOnDevice of [false, true]) {
        const m = await OrtDenoiser.create(${JSON.stringify(imageModel())}, { executionProviders: ['webgpu'], outputsOnDevice });
        out.push({ onDevice: m.outputsOnDevice, y: Array.from(await m.predict(x, [2, 1, 4, 4], new Int32Array([3, 40]), null)) });
        await m.dispose();
      }
      console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, ...SWIFTSHADER } });
    expect(r.status, r.stderr).toBe(0);
    const [host, device] = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect([host.onDevice, device.onDevice]).toEqual([false, true]);
    expect(device.y).toHaveLength(32);
    expect(device.y).toEqual(host.y);
    expect(host.y.some((v: number) => v !== 0)).toBe(true);
  });
});
