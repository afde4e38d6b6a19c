#!/usr/bin/env node
// Opt-in GPU setup for machines with an NVIDIA GPU and internet access (`pnpm setup:gpu`).
// The default install never runs these download scripts: see README "GPU".
//   1. @tensorflow/tfjs-node-gpu: libtensorflow 2.9.1 (CUDA 11.2 / cuDNN 8.1) + its native addon.
//   2. onnxruntime-node: the CUDA 12 execution provider.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const steps = [
  {
    what: 'TensorFlow.js CUDA backend (@tensorflow/tfjs-node-gpu)',
    from: 'packages/trainer/package.json',
    pkg: '@tensorflow/tfjs-node-gpu',
    args: ['scripts/install.js', 'gpu', 'download'],
    env: {},
  },
  {
    what: 'ONNX Runtime CUDA execution provider (onnxruntime-node)',
    from: 'packages/sampler/package.json',
    pkg: 'onnxruntime-node',
    args: ['script/install'],
    env: { ONNXRUNTIME_NODE_INSTALL: 'cuda12' },
  },
];

let failed = 0;
for (const step of steps) {
  const require = createRequire(new URL(`../${step.from}`, import.meta.url));
  let dir;
  try {
    dir = dirname(require.resolve(`${step.pkg}/package.json`));
  } catch {
    console.error(`setup:gpu: ${step.pkg} is not installed; run pnpm install first.`);
    failed++;
    continue;
  }
  console.log(`setup:gpu: ${step.what}\n  node ${step.args.join(' ')}  (in ${dir})`);
  const result = spawnSync(process.execPath, step.args, { cwd: dir, stdio: 'inherit', env: { ...process.env, ...step.env } });
  if (result.status !== 0) {
    console.error(`setup:gpu: ${step.what} failed (exit ${result.status}); it needs internet access and an NVIDIA driver.`);
    failed++;
  }
}
if (failed === 0) console.log('setup:gpu: done. `pnpm onnx-ddpm doctor` shows what is usable now.');
process.exitCode = failed === 0 ? 0 : 1;
