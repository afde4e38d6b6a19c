#!/usr/bin/env node
// Training-throughput benchmark of the default 28×28×1 ε-U-Net on the TF.js backends available here.
// Runs the built packages (dist/): `pnpm build` first.
//
//   node scripts/bench-train.mjs [--batch 64] [--steps 3] [--warmup 1]
//        [--configs wasm:1,wasm:2,cpu:1] [--cpu-batch 8] [--profile] [--no-torch]
//
// Each config is <backend>:<workers>, run through the data-parallel worker engine (1 worker = one
// replica in one worker thread). cpu is far slower, so it runs at --cpu-batch (default 8) for one step.
// FLOPs: forward multiply-adds of every Conv2D, transposed conv (Conv2DBackpropInput) and matMul,
// counted from the shapes of one forward pass, ×2; a training step ≈ 3× forward.
// --profile: one in-process wasm step at --batch with per-kernel self time (nested kernels excluded).
// Baseline: PyTorch eager on the same architecture and batch (scripts/torch/unet.py with Debian's
// /usr/bin/python3 and 2 threads), run before and after our configs; the ratio column is our img/s ÷
// the mean PyTorch img/s. Skipped with a note when python3 or torch is missing, or with --no-torch.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { BENCH_TRAIN_HYPER, syntheticBatch, timeTrainSteps } from '../packages/cli/dist/bench/training.js';
import { selectBackend } from '../packages/trainer/dist/backend/node.js';
import { createModel, defaultUNetConfig } from '../packages/trainer/dist/model/index.js';
import { createWorkerEngine } from '../packages/trainer/dist/parallel/index.js';

// The trainer's own copy of tfjs-core (the one its backends and model use).
const tf = createRequire(new URL('../packages/trainer/package.json', import.meta.url))('@tensorflow/tfjs-core');

const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    configs: { type: 'string', default: 'wasm:1,wasm:2,cpu:1' },
    'cpu-batch': { type: 'string', default: '8' },
    profile: { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
  },
});

function positiveInt(name, text, min = 1) {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: expected an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return v;
}
const batch = positiveInt('batch', args.batch);
const steps = positiveInt('steps', args.steps);
const warmup = positiveInt('warmup', args.warmup, 0);
const cpuBatch = positiveInt('cpu-batch', args['cpu-batch']);
const configs = args.configs.split(',').map((c) => {
  const [backend, workers = '1'] = c.split(':');
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`--configs: unknown backend ${JSON.stringify(backend)} (wasm or cpu)`);
  return { backend, workers: positiveInt('configs', workers) };
});

const modelConfig = defaultUNetConfig(28, 1, 0);

/** Forward multiply-adds per image, from the shapes of one forward pass at batch 1. */
function countForwardMacs(model) {
  let macs = 0;
  let depth = 0; // count top-level kernels only (our wasm kernels run nested Conv2Ds)
  const engine = tf.engine();
  const runKernel = engine.runKernel.bind(engine);
  engine.runKernel = (name, inputs, attrs) => {
    if (depth > 0) return runKernel(name, inputs, attrs);
    if (name === 'Conv2D' || name === 'FusedConv2D') {
      const [, , , co] = inputs.filter.shape;
      const [kh, kw, ci] = inputs.filter.shape;
      const out = tf.backend_util.computeConv2DInfo(inputs.x.shape, inputs.filter.shape, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode);
      macs += out.batchSize * out.outHeight * out.outWidth * co * kh * kw * ci;
    } else if (name === 'Conv2DBackpropInput') {
      const [kh, kw, co] = inputs.filter.shape; // transposed conv: dy = its input, filter [k, k, out, in]
      macs += inputs.dy.size * kh * kw * co;
    } else if (name === 'BatchMatMul' || name === '_FusedMatMul') {
      const a = inputs.a.shape;
      const b = inputs.b.shape;
      const m = attrs.transposeA ? a[a.length - 1] : a[a.length - 2];
      const k = attrs.transposeA ? a[a.length - 2] : a[a.length - 1];
      const n = attrs.transposeB ? b[b.length - 2] : b[b.length - 1];
      const batches = Math.max(a.slice(0, -2).reduce((p, d) => p * d, 1), b.slice(0, -2).reduce((p, d) => p * d, 1));
      macs += batches * m * k * n;
    }
    depth++;
    try {
      return runKernel(name, inputs, attrs);
    } finally {
      depth--;
    }
  };
  try {
    tf.tidy(() => {
      model.apply(tf.zeros([1, 28, 28, 1]), tf.tensor1d([10], 'int32'), null, { training: false });
    });
  } finally {
    engine.runKernel = runKernel;
  }
  return macs;
}

const makeBatch = (n, step) => syntheticBatch(n, 28, 1, 0, step);

async function profileStep(model, n) {
  const engine = tf.engine();
  const runKernel = engine.runKernel.bind(engine);
  const self = new Map();
  const stack = [];
  engine.runKernel = (name, inputs, attrs) => {
    const frame = { child: 0 };
    stack.push(frame);
    const t0 = performance.now();
    try {
      return runKernel(name, inputs, attrs);
    } finally {
      const dt = performance.now() - t0;
      stack.pop();
      const e = self.get(name) ?? { ms: 0, calls: 0 };
      e.ms += dt - frame.child;
      e.calls++;
      self.set(name, e);
      if (stack.length > 0) stack[stack.length - 1].child += dt;
    }
  };
  const b = makeBatch(n, 0);
  const t0 = performance.now();
  tf.tidy(() => {
    const x = tf.tensor(b.x0, b.shape);
    const eps = tf.tensor(b.eps, b.shape);
    const t = tf.tensor1d(b.t, 'int32');
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(tf.sub(eps, model.apply(x, t, null, { training: true, dropoutSeed: 1 })))),
      model.params,
    );
    value.dataSync();
    for (const g of Object.values(grads)) g.dataSync();
  });
  const total = performance.now() - t0;
  engine.runKernel = runKernel;
  return { total, rows: [...self].sort((p, q) => q[1].ms - p[1].ms) };
}

const TORCH_SCRIPT = new URL('./torch/unet.py', import.meta.url).pathname;

/** One PyTorch baseline run: { ms, params } or { skipped: why }. */
function torchBaseline(n) {
  const args = [TORCH_SCRIPT, 'bench-train', '--batch', String(n), '--steps', String(steps), '--warmup', String(Math.max(1, warmup)), '--threads', '2'];
  const run = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (run.error) return { skipped: `/usr/bin/python3 not runnable (${run.error.code ?? run.error.message})` };
  const out = `${run.stdout}${run.stderr}`;
  if (/No module named ['"]?torch/.test(out)) return { skipped: 'PyTorch is not installed for /usr/bin/python3 (apt install python3-torch)' };
  const ms = out.match(/: (\d+(?:\.\d+)?) ms\/step/);
  const params = out.match(/, (\d+) parameters/);
  if (run.status !== 0 || !ms || !params) return { skipped: `scripts/torch/unet.py failed (exit ${run.status}): ${out.trim().split('\n').slice(-2).join(' | ')}` };
  return { ms: Number(ms[1]), params: Number(params[1]) };
}

function row(label, n, ms, flopsPerImage, torchImgPerS) {
  const imgPerS = (1000 * n) / ms;
  const ratio = torchImgPerS ? `${(imgPerS / torchImgPerS).toFixed(2)}×` : '–';
  console.log(
    `${label.padEnd(22)} ${String(n).padStart(5)} ${ms.toFixed(0).padStart(9)} ${imgPerS.toFixed(1).padStart(7)} ${((flopsPerImage * n) / ms / 1e6).toFixed(1).padStart(8)} ${ratio.padStart(9)}`,
  );
}

async function main() {
  await selectBackend('wasm');
  const model = createModel(modelConfig, 0);
  const macs = countForwardMacs(model);
  const fwdFlops = 2 * macs;
  const trainFlops = 3 * fwdFlops;
  console.log(`model: default 28×28×1 U-Net, ${model.parameterCount()} parameters`);
  console.log(
    `FLOPs per image: forward ${(fwdFlops / 1e9).toFixed(3)} GFLOP (2 × ${(macs / 1e6).toFixed(1)} M multiply-adds` +
      `${typeof model.forwardFlops === 'function' ? `; model.forwardFlops() says ${(model.forwardFlops() / 1e9).toFixed(3)}` : ''}), training ≈ 3× = ${(trainFlops / 1e9).toFixed(3)} GFLOP`,
  );
  if (args.profile) {
    await profileStep(model, batch); // warm-up (grows the wasm heap)
    const { total, rows } = await profileStep(model, batch);
    console.log(`\nprofile: one in-process wasm training step at batch ${batch}: ${total.toFixed(0)} ms; kernel self time:`);
    for (const [name, e] of rows.slice(0, 25)) {
      console.log(`  ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${String(e.calls).padStart(5)} calls`);
    }
  }
  const ourParams = model.parameterCount();
  model.dispose();
  const torchRuns = [];
  let torchNote = args['no-torch'] ? 'PyTorch baseline skipped (--no-torch)' : null;
  const runTorch = () => {
    if (torchNote) return;
    const r = torchBaseline(batch);
    if (r.skipped) torchNote = `PyTorch baseline skipped: ${r.skipped}`;
    else if (r.params !== ourParams) torchNote = `PyTorch baseline skipped: its model has ${r.params} parameters, ours ${ourParams} (architectures differ)`;
    else torchRuns.push(r.ms);
  };
  runTorch();
  const results = [];
  for (const { backend, workers } of configs) {
    const n = backend === 'cpu' ? cpuBatch : batch;
    const nSteps = backend === 'cpu' ? 1 : steps;
    const nWarm = backend === 'cpu' ? 0 : warmup;
    const engine = await createWorkerEngine({ modelConfig, train: BENCH_TRAIN_HYPER, seed: 0, workers, backend });
    try {
      const ms = await timeTrainSteps(engine, { batch: n, warmup: nWarm, steps: nSteps, imageSize: 28, channels: 1, numClasses: 0 });
      results.push({ label: `${backend}, ${workers} worker${workers === 1 ? '' : 's'}`, n, ms });
    } finally {
      await engine.dispose();
    }
  }
  runTorch();
  const torchMs = torchRuns.length > 0 ? torchRuns.reduce((a, b) => a + b, 0) / torchRuns.length : null;
  const torchImgPerS = torchMs ? (1000 * batch) / torchMs : null;
  console.log(`\n${'config'.padEnd(22)} ${'batch'.padStart(5)} ${'ms/step'.padStart(9)} ${'img/s'.padStart(7)} ${'GFLOP/s'.padStart(8)} ${'÷ PyTorch'.padStart(9)}`);
  for (const r of results) row(r.label, r.n, r.ms, trainFlops, r.n === batch ? torchImgPerS : null);
  if (torchMs) {
    row('pytorch eager, 2 thr', batch, torchMs, trainFlops, torchImgPerS);
    console.log(`PyTorch runs before/after ours: ${torchRuns.map((ms) => `${ms.toFixed(0)} ms`).join(', ')} per step (mean used for the ratio)`);
  }
  if (torchNote) console.log(torchNote);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
