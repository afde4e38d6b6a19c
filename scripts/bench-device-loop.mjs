#!/usr/bin/env node
// onnxruntime-node's WebGPU EP: the host loop (x_t copied to and from the GPU at every step, the
// step math in JS) beside the device-resident loop (x_t stays in GPU buffers, the step a small ONNX
// graph; `sampleOrt` with `outputsOnDevice`), side by side in one run on one model, with the same
// seed. Prints ms/step of each and the largest difference of their final samples, and exits 1 when
// that exceeds DESIGN.md's WebGPU bound (1e-3). Without a GPU it re-launches itself on SwiftShader
// (a software adapter: the figures say nothing of a real GPU). Runs the built packages.
//
//   node scripts/bench-device-loop.mjs [--model m.onnx] [--size 16] [--batch 4] [--steps 10] [--rounds 2] [--json]
// Without --model it exports a U-Net of the default layout for --size×--size×1 (random weights).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SWIFTSHADER = { LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' };
const BOUND = 1e-3;

if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER.VK_ICD_FILENAMES)) {
  // The Vulkan loader reads these when the process starts, so set them for a child of our own.
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, ...SWIFTSHADER },
  });
  process.exit(r.status ?? 1);
}

const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    size: { type: 'string', default: '16' },
    batch: { type: 'string', default: '4' },
    steps: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const sampler = await import('@onnx-ddpm/sampler/node');
const { createScheduler, PhiloxNoise } = await import('@onnx-ddpm/schedule');

let work;
let modelPath = args.model;
if (modelPath === undefined) {
  const { createModel, defaultUNetConfig, exportOnnx, selectBackend } = await import('@onnx-ddpm/trainer/node');
  const { DEFAULT_SCHEDULER_CONFIG } = await import('@onnx-ddpm/schedule');
  await selectBackend('cpu', () => {});
  work = mkdtempSync(join(tmpdir(), 'onnx-ddpm-bench-device-'));
  modelPath = join(work, 'unet.onnx');
  const model = createModel(defaultUNetConfig(Number(args.size), 1, 0), 0);
  writeFileSync(modelPath, exportOnnx({ model, schedulerConfig: DEFAULT_SCHEDULER_CONFIG, training: { dataset: 'none (random weights)' } }));
}

const models = [];
try {
  const source = await sampler.loadModelSource(modelPath);
  const open = (outputsOnDevice) =>
    sampler.OrtDenoiser.create(source.modelPath, { executionProviders: ['webgpu'], numClasses: source.numClasses, sampleShape: source.sampleShape, outputsOnDevice });
  const host = await open(false);
  models.push(host);
  const device = await open(true);
  models.push(device);
  const scheduler = createScheduler(source.config, { method: 'ddim', steps: Number(args.steps) });
  const batch = Number(args.batch);
  const run = (model) => sampler.sampleOrt(model, scheduler, { batch, noise: new PhiloxNoise(7) });

  await run(host); // warm-up: shader compilation, allocations
  await run(device);
  const best = { host: Infinity, device: Infinity };
  let last;
  // Rounds alternate the two loops and keep each one's best: the machine is shared and noisy.
  for (let r = 0; r < Number(args.rounds); r++) {
    const h = await run(host);
    const d = await run(device);
    best.host = Math.min(best.host, h.timings.totalMs / h.timings.steps);
    best.device = Math.min(best.device, d.timings.totalMs / d.timings.steps);
    last = { h: h.samples, d: d.samples };
  }
  let maxAbs = 0;
  for (let i = 0; i < last.h.length; i++) maxAbs = Math.max(maxAbs, Math.abs(last.h[i] - last.d[i]));
  const report = {
    date: new Date().toISOString().slice(0, 10),
    adapter: process.env.VK_ICD_FILENAMES === SWIFTSHADER.VK_ICD_FILENAMES ? 'SwiftShader (software)' : 'system Vulkan',
    model: args.model ?? `default U-Net ${args.size}×${args.size}×1, random weights`,
    batch,
    steps: scheduler.length,
    deviceOutputsOnGpu: device.outputsOnDevice,
    hostMsPerStep: best.host,
    deviceMsPerStep: best.device,
    maxAbsDiff: maxAbs,
    bound: BOUND,
  };
  if (args.json) console.log(JSON.stringify(report));
  else {
    console.log(`${report.date}, onnxruntime-node WebGPU EP on ${report.adapter}; ${report.model}; batch ${batch}, DDIM ${report.steps} steps, best of ${args.rounds}`);
    console.log(`host loop    ${best.host.toFixed(2)} ms/step`);
    console.log(`device loop  ${best.device.toFixed(2)} ms/step  (${(best.host / best.device).toFixed(2)}× the host loop's speed)`);
    console.log(`final samples: max |host − device| = ${maxAbs.toExponential(2)} (bound ${BOUND})`);
  }
  if (!(maxAbs <= BOUND)) process.exitCode = 1;
} finally {
  for (const m of models) await m.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
}
