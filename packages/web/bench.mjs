#!/usr/bin/env node
// ms/step of the default 28×28×1 ε-U-Net (random weights: speed does not depend on them), side by
// side in one run: onnxruntime-web's wasm EP with threads in Chromium (the built page's
// window.onnxDdpm.sample) vs onnxruntime-node's CPU EP (the same core loop). Two rounds with the
// order swapped, best of each. Needs `pnpm build` and `pnpm --filter @onnx-ddpm/web build` first.
//
//   node packages/web/bench.mjs [--batch 1,16] [--steps 10]
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { DEFAULT_SCHEDULER_CONFIG, PhiloxNoise } from '../schedule/dist/index.js';
import { measureModelFlops, OrtEpsModel, sample } from '../sampler/dist/node/index.js';
import { createModel, defaultUNetConfig, exportOnnx, selectBackend } from '../trainer/dist/node.js';
import { serveStatic } from './serve.mjs';

const { values: args } = parseArgs({ options: { batch: { type: 'string', default: '1,16' }, steps: { type: 'string', default: '10' } } });
const batches = args.batch.split(',').map(Number);
const steps = Number(args.steps);

await selectBackend('cpu', () => {});
const model = createModel(defaultUNetConfig(28, 1, 0), 0);
const bytes = exportOnnx({ model, schedulerConfig: DEFAULT_SCHEDULER_CONFIG, training: { dataset: 'none (random weights)' } });
console.log(`default 28×28×1 U-Net, ${model.parameterCount()} parameters (random weights); DDIM ${steps} steps`);

const node = await OrtEpsModel.create(bytes, { executionProviders: ['cpu'] });
async function nodeMsPerStep(batch) {
  const opts = { method: 'ddim', steps, batch, noise: new PhiloxNoise(1) };
  await sample(node, DEFAULT_SCHEDULER_CONFIG, { ...opts, steps: 2 }); // warm-up
  const r = await sample(node, DEFAULT_SCHEDULER_CONFIG, opts);
  return r.timings.totalMs / r.timings.steps;
}

const server = await serveStatic(new URL('dist', import.meta.url).pathname);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage();
await page.goto(server.url);
await page.waitForFunction(() => window.onnxDdpm !== undefined);
const info = await page.evaluate(async () => {
  await window.onnxDdpm.ready;
  return { isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency };
});
const b64 = Buffer.from(bytes).toString('base64');
async function wasmMsPerStep(batch) {
  return page.evaluate(
    async ([m, o]) => {
      await window.onnxDdpm.sample(m, 'wasm', { ...o, steps: 2 }); // warm-up (and session creation)
      return (await window.onnxDdpm.sample(m, 'wasm', o)).msPerStep;
    },
    [b64, { method: 'ddim', steps, seed: 1, batch }],
  );
}

const best = new Map();
const keep = (key, ms) => best.set(key, Math.min(best.get(key) ?? Number.POSITIVE_INFINITY, ms));
for (const round of [0, 1]) {
  for (const batch of batches) {
    const order = round === 0 ? ['node', 'wasm'] : ['wasm', 'node'];
    for (const who of order) keep(`${who} ${batch}`, who === 'node' ? await nodeMsPerStep(batch) : await wasmMsPerStep(batch));
  }
}
console.log(`Chromium: cross-origin isolated ${info.isolated}, ${info.cores} cores visible`);
console.log('ms/step (GFLOP/s of the Conv/MatMul/Gemm work), best of 2 rounds:');
console.log(`\n${'batch'.padStart(5)}${'ORT-node CPU'.padStart(22)}${'ORT-web wasm'.padStart(22)}${'ratio'.padStart(8)}`);
for (const batch of batches) {
  const { flops } = await measureModelFlops(bytes, [batch, 1, 28, 28]);
  const cell = (ms) => `${ms.toFixed(1)} ms (${(flops / ms / 1e6).toFixed(1)})`.padStart(22);
  const n = best.get(`node ${batch}`);
  const w = best.get(`wasm ${batch}`);
  console.log(`${String(batch).padStart(5)}${cell(n)}${cell(w)}${`${(w / n).toFixed(2)}×`.padStart(8)}`);
}
await browser.close();
await server.close();
await node.dispose();
