#!/usr/bin/env node
// Training-throughput benchmark of the default 28×28×1 ε-U-Net on the TF.js backends available here.
// Runs the built packages (dist/): `pnpm build` first.
//
//   node scripts/bench-train.mjs [--batch 64] [--steps 3] [--warmup 1]
//        [--configs wasm:1,wasm:2,cpu:1] [--cpu-batch 8] [--profile] [--profile-steps 2] [--no-torch]
//
// Each config is <backend>:<workers>, run through the data-parallel worker engine (1 worker = one
// replica in one worker thread). cpu is far slower, so it runs at --cpu-batch (default 8) for one step.
// FLOPs: forward multiply-adds of every Conv2D, transposed conv (Conv2DBackpropInput) and matMul,
// counted from the shapes of one forward pass, ×2; a training step ≈ 3× forward.
// Ceiling: TF.js wasm's forward Conv2D alone on the model's own conv shapes (one forward pass's
// convolutions at a worker's shard of the batch, one thread), timed before and after the configs; a
// wasm row's "÷ ceiling" is its training GFLOP/s ÷ (that GFLOP/s × its workers), and "÷ ceil/CPU" the
// same per second of CPU time (this process, all threads), which holds when others share the cores.
// --profile: one replica's training step on its shard of the batch (--batch ÷ the most wasm workers
// configured), in-process on wasm: self time, FLOPs and GFLOP/s per kernel (a kernel run by one of
// our gradient kernels is listed as "Conv2D ⊂ Conv2DBackpropInput"), self time per model block,
// forward and backward; then, from the engine runs, where a step's wall time went (workers'
// forward + backward, gradient copy, all-reduce, update) and how long drawing a Fashion-MNIST batch takes.
// Baseline: PyTorch eager on the same architecture and batch (scripts/torch/unet.py with Debian's
// /usr/bin/python3 and 2 threads), run before and after our configs; the ratio column is our img/s ÷
// the mean PyTorch img/s. Skipped with a note when python3 or torch is missing, or with --no-torch.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { BENCH_TRAIN_HYPER, syntheticBatch, timeTrainSteps } from '@onnx-ddpm/measure/bench';
import {
  Attention,
  BatchSampler,
  Conv2d,
  ConvTranspose2d,
  createModel,
  createWorkerEngine,
  defaultUNetConfig,
  GroupNorm,
  KernelProfiler,
  kernelFlops,
  loadDataset,
  OUTSIDE_BLOCKS,
  ResBlock,
  selectBackend,
  TimeEmbedding,
  TrainReplica,
} from '@onnx-ddpm/trainer/node';

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
    'profile-steps': { type: 'string', default: '2' },
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
const profileSteps = positiveInt('profile-steps', args['profile-steps']);
const configs = args.configs.split(',').map((c) => {
  const [backend, workers = '1'] = c.split(':');
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`--configs: unknown backend ${JSON.stringify(backend)} (wasm or cpu)`);
  return { backend, workers: positiveInt('configs', workers) };
});

const modelConfig = defaultUNetConfig(28, 1, 0);

/** Runs one forward pass at batch n under a KernelProfiler; also records every top-level forward conv. */
function profileForward(model, n) {
  const profiler = new KernelProfiler();
  const convs = [];
  const engine = tf.engine();
  const runKernel = engine.runKernel;
  let depth = 0;
  engine.runKernel = function (name, inputs, attrs) {
    if (depth === 0 && (name === 'Conv2D' || name === 'FusedConv2D')) {
      convs.push({ x: inputs.x.shape, filter: inputs.filter.shape, strides: attrs.strides, pad: attrs.pad });
    }
    depth++;
    try {
      return runKernel.call(this, name, inputs, attrs);
    } finally {
      depth--;
    }
  };
  profiler.start();
  try {
    tf.tidy(() => {
      model.apply(tf.zeros([n, 28, 28, 1]), tf.fill([n], 10, 'int32'), null, { training: false });
    });
  } finally {
    profiler.stop();
    engine.runKernel = runKernel;
  }
  return { flops: profiler.kernels().reduce((a, r) => a + r.flops, 0), convs };
}

/** CPU time (user + system) this process has used, in ms. */
function cpuNow() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * GFLOP/s of TF.js wasm's forward Conv2D alone on `convs` (one warm-up pass, then `passes` timed),
 * per second of wall time and per second of CPU time.
 */
function convCeiling(convs, passes = 2) {
  const flops = convs.reduce((a, c) => a + kernelFlops('Conv2D', { x: { shape: c.x }, filter: { shape: c.filter } }, c), 0);
  const tensors = convs.map((c) => ({ ...c, x: tf.randomUniform(c.x, -1, 1), filter: tf.randomUniform(c.filter, -0.1, 0.1) }));
  const pass = () => {
    for (const c of tensors) tf.conv2d(c.x, c.filter, c.strides, c.pad).dispose();
  };
  pass();
  const c0 = cpuNow();
  const t0 = performance.now();
  for (let i = 0; i < passes; i++) pass();
  const ms = (performance.now() - t0) / passes;
  const cpuMs = (cpuNow() - c0) / passes;
  for (const c of tensors) {
    c.x.dispose();
    c.filter.dispose();
  }
  return { wall: flops / ms / 1e6, cpu: flops / cpuMs / 1e6 };
}

const makeBatch = (n, step) => syntheticBatch(n, 28, 1, 0, step);

/** Charges the kernels of each outermost module call to a block label (kind, resolution, widths). */
function labelBlocks(profiler) {
  const side = (x) => `${x.shape[1]}×${x.shape[2]}`;
  const wrap = (cls, label) => {
    const apply = cls.prototype.apply;
    cls.prototype.apply = function (x, ...rest) {
      return profiler.block(label(this, x), () => apply.call(this, x, ...rest));
    };
    return () => {
      cls.prototype.apply = apply;
    };
  };
  const undo = [
    wrap(ResBlock, (m, x) => `ResBlock ${side(x)} ${m.inChannels}→${m.outChannels}`),
    wrap(Attention, (m, x) => `Attention ${side(x)}×${m.channels}`),
    wrap(Conv2d, (m, x) => `Conv ${m.kernelSize}×${m.kernelSize}/${m.stride} ${side(x)} ${m.inChannels}→${m.outChannels}`),
    wrap(ConvTranspose2d, (m, x) => `ConvTranspose 4×4/2 ${side(x)} ${m.inChannels}→${m.outChannels}`),
    wrap(GroupNorm, (m, x) => `GroupNorm ${side(x)}×${m.channels}`),
    wrap(TimeEmbedding, () => 'TimeEmbedding'),
  ];
  return () => {
    for (const u of undo) u();
  };
}

/** One replica's training steps at batch n in this thread under a KernelProfiler (after one warm-up step). */
function profileReplica(n) {
  const replica = TrainReplica.create({ modelConfig, train: BENCH_TRAIN_HYPER, seed: 0 });
  const profiler = new KernelProfiler();
  const unlabel = labelBlocks(profiler);
  try {
    replica.computeGradients(makeBatch(n, 0));
    let ms = 0;
    let cpuMs = 0;
    profiler.start();
    for (let s = 1; s <= profileSteps; s++) {
      const batch = makeBatch(n, s);
      profiler.beginStep();
      const c0 = cpuNow();
      const t0 = performance.now();
      replica.computeGradients(batch);
      ms += performance.now() - t0;
      cpuMs += cpuNow() - c0;
    }
    profiler.stop();
    const perStep = (r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? v / profileSteps : v]));
    return {
      ms: ms / profileSteps,
      cpuMs: cpuMs / profileSteps,
      kernels: profiler.kernels().map(perStep).sort((a, b) => b.selfCpuMs - a.selfCpuMs),
      blocks: profiler.blocks().map(perStep).sort((a, b) => b.cpuMs - a.cpuMs),
    };
  } finally {
    unlabel();
    replica.dispose();
  }
}

const pct = (part, whole) => `${((100 * part) / whole).toFixed(1).padStart(5)}%`;
const gflops = (flops) => (flops / 1e9).toFixed(2).padStart(7);
const rate = (flops, ms) => (flops > 0 ? (flops / ms / 1e6).toFixed(1) : '–').padStart(8);

function printProfile(p, n) {
  const kernelCpu = p.kernels.reduce((a, r) => a + r.selfCpuMs, 0);
  console.log(
    `\nprofile: one replica's training step at its shard of ${n} images (in-process, wasm, mean of ${profileSteps} steps): ` +
      `${p.ms.toFixed(0)} ms wall, ${p.cpuMs.toFixed(0)} ms CPU (this process had ${((100 * p.cpuMs) / p.ms).toFixed(0)}% of a core); ` +
      `${kernelCpu.toFixed(0)} ms CPU in TF.js kernels, the rest is tensor set-up, reading gradients out and JS between kernels. ` +
      'Shares and GFLOP/s are of CPU time.',
  );
  const head = (first) => `${first.padEnd(44)} ${'ms wall'.padStart(8)} ${'ms CPU'.padStart(7)}  share`;
  console.log(`${head('kernel (self time)')} ${'calls'.padStart(5)} ${'GFLOP'.padStart(7)} ${'GFLOP/s'.padStart(8)}`);
  for (const r of p.kernels.slice(0, 25)) {
    console.log(
      `${r.name.padEnd(44)} ${r.selfMs.toFixed(0).padStart(8)} ${r.selfCpuMs.toFixed(0).padStart(7)} ${pct(r.selfCpuMs, p.cpuMs)} ${String(r.calls).padStart(5)} ${gflops(r.flops)} ${rate(r.flops, r.selfCpuMs)}`,
    );
  }
  const rest = p.kernels.slice(25);
  if (rest.length > 0) {
    const ms = rest.reduce((a, r) => a + r.selfMs, 0);
    const cpu = rest.reduce((a, r) => a + r.selfCpuMs, 0);
    console.log(`${`(${rest.length} more kernels)`.padEnd(44)} ${ms.toFixed(0).padStart(8)} ${cpu.toFixed(0).padStart(7)} ${pct(cpu, p.cpuMs)}`);
  }
  console.log(`\n${head('model block (kernel self time)')} ${'phase'.padEnd(8)} ${'calls'.padStart(5)} ${'GFLOP'.padStart(7)} ${'GFLOP/s'.padStart(8)}`);
  const blockLine = (name, phase, calls, ms, cpu, flops) =>
    console.log(`${name.padEnd(44)} ${ms.toFixed(0).padStart(8)} ${cpu.toFixed(0).padStart(7)} ${pct(cpu, p.cpuMs)} ${phase.padEnd(8)} ${calls.padStart(5)} ${gflops(flops)} ${rate(flops, cpu)}`);
  for (const r of p.blocks) {
    if (r.cpuMs < 0.5) continue;
    blockLine(r.block, r.phase, r.block === OUTSIDE_BLOCKS ? '' : String(r.calls), r.ms, r.cpuMs, r.flops);
  }
  for (const phase of ['forward', 'backward']) {
    const rows = p.blocks.filter((r) => r.phase === phase);
    const sum = (key) => rows.reduce((a, r) => a + r[key], 0);
    blockLine(`all ${phase}`, '', '', sum('ms'), sum('cpuMs'), sum('flops'));
  }
}

/** Mean ms to draw one Fashion-MNIST training batch of n (the loop does this before each step), or null. */
async function dataLoadingMs(n) {
  let dataset;
  try {
    dataset = await loadDataset('fashion-mnist');
  } catch (err) {
    return { skipped: err instanceof Error ? err.message : String(err) };
  }
  const sampler = new BatchSampler(dataset, { batchSize: n, seed: 0, numTimesteps: 1000, antithetic: true, classConditional: true, labelDropout: 0.1 });
  sampler.batch(0);
  const t0 = performance.now();
  for (let s = 1; s <= 5; s++) sampler.batch(s);
  return { ms: (performance.now() - t0) / 5 };
}

function printStepShares(label, t, data) {
  const wall = t.totalMs + (data.ms ?? 0);
  const slowest = t.computeMs.reduce((m, c, i) => (c + t.shareMs[i] > t.computeMs[m] + t.shareMs[m] ? i : m), 0);
  const worker = t.computeMs[slowest] + t.shareMs[slowest];
  const line = (what, ms) => console.log(`  ${what.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms ${pct(ms, wall)}`);
  console.log(`\nwhere a step's wall time goes, ${label} (mean of the timed steps)${data.ms == null ? '' : ', with drawing its Fashion-MNIST batch'}:`);
  if (data.ms != null) line('drawing the batch (main thread, before the step)', data.ms);
  line("workers' forward + backward + reading gradients out (slowest)", t.computeMs[slowest]);
  line('copying its gradients into the shared buffer', t.shareMs[slowest]);
  line('messages, and waiting for the slowest worker', t.computePhaseMs - worker);
  line('all-reduce (averaging the gradients, main thread)', t.allReduceMs);
  line('update in every replica (clip, Adam, EMA, weights in)', t.applyMs);
  if (data.skipped) console.log(`  drawing batches not measured: ${data.skipped}`);
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

/**
 * One table row. "÷ ceiling": training GFLOP/s ÷ the ceiling × workers (wall time; assumes free
 * cores); "÷ ceil/CPU": training GFLOP per CPU second (all threads) ÷ the ceiling's, which holds
 * when other processes share the cores.
 */
function row(label, n, ms, flopsPerImage, ceilingGflops, torchImgPerS, cpuMs, ceilingCpuGflops) {
  const imgPerS = (1000 * n) / ms;
  const achieved = (flopsPerImage * n) / ms / 1e6;
  const percent = (x) => `${(100 * x).toFixed(0)}%`;
  const ofCeiling = ceilingGflops ? percent(achieved / ceilingGflops) : '–';
  const ofCeilingCpu = cpuMs && ceilingCpuGflops ? percent((flopsPerImage * n) / cpuMs / 1e6 / ceilingCpuGflops) : '–';
  const ratio = torchImgPerS ? `${(imgPerS / torchImgPerS).toFixed(2)}×` : '–';
  console.log(
    `${label.padEnd(22)} ${String(n).padStart(5)} ${ms.toFixed(0).padStart(9)} ${imgPerS.toFixed(1).padStart(7)} ${achieved.toFixed(1).padStart(8)} ${ofCeiling.padStart(9)} ` +
      `${(cpuMs ? cpuMs.toFixed(0) : '–').padStart(8)} ${ofCeilingCpu.padStart(10)} ${ratio.padStart(9)}`,
  );
}

/** Mean of the numeric fields of several StepTimings (arrays element-wise). */
function meanTimings(list) {
  const mean = (pick) => list.reduce((a, t) => a + pick(t), 0) / list.length;
  const first = list[0];
  return {
    totalMs: mean((t) => t.totalMs),
    computeMs: first.computeMs.map((_, i) => mean((t) => t.computeMs[i])),
    shareMs: first.shareMs.map((_, i) => mean((t) => t.shareMs[i])),
    computePhaseMs: mean((t) => t.computePhaseMs),
    allReduceMs: mean((t) => t.allReduceMs),
    applyMs: mean((t) => t.applyMs),
  };
}

async function main() {
  await selectBackend('wasm');
  const model = createModel(modelConfig, 0);
  const fwdFlops = profileForward(model, 1).flops;
  const trainFlops = 3 * fwdFlops;
  console.log(`model: default 28×28×1 U-Net, ${model.parameterCount()} parameters`);
  console.log(
    `FLOPs per image: forward ${(fwdFlops / 1e9).toFixed(3)} GFLOP (model.forwardFlops() says ${(model.forwardFlops() / 1e9).toFixed(3)}), ` +
      `training ≈ 3× = ${(trainFlops / 1e9).toFixed(3)} GFLOP`,
  );
  const wasmWorkers = configs.filter((c) => c.backend === 'wasm').map((c) => c.workers);
  const shard = Math.ceil(batch / Math.max(1, ...wasmWorkers));
  const { convs } = profileForward(model, shard);
  const ourParams = model.parameterCount();
  model.dispose();
  const ceilingRuns = [convCeiling(convs)];
  if (args.profile) printProfile(profileReplica(shard), shard);
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
      const timings = [];
      const opts = { batch: n, warmup: nWarm, steps: nSteps, imageSize: 28, channels: 1, numClasses: 0 };
      const { ms, cpuMs } = await timeTrainSteps(engine, opts, () => timings.push(engine.lastStepTimings()));
      results.push({ label: `${backend}, ${workers} worker${workers === 1 ? '' : 's'}`, backend, workers, n, ms, cpuMs, timings: meanTimings(timings) });
    } finally {
      await engine.dispose();
    }
  }
  runTorch();
  ceilingRuns.push(convCeiling(convs));
  const meanOf = (key) => ceilingRuns.reduce((a, r) => a + r[key], 0) / ceilingRuns.length;
  const ceiling = meanOf('wall');
  const ceilingCpu = meanOf('cpu');
  if (args.profile) {
    const widest = results.filter((r) => r.backend === 'wasm').sort((a, b) => b.workers - a.workers)[0];
    if (widest) printStepShares(`${widest.label}, batch ${widest.n}`, widest.timings, await dataLoadingMs(widest.n));
  }
  const torchMs = torchRuns.length > 0 ? torchRuns.reduce((a, b) => a + b, 0) / torchRuns.length : null;
  const torchImgPerS = torchMs ? (1000 * batch) / torchMs : null;
  console.log(
    `\nwasm ceiling: forward Conv2D alone on the model's ${convs.length} conv shapes at batch ${shard}, one thread: ` +
      `${ceilingRuns.map((g) => g.wall.toFixed(1)).join(', ')} GFLOP/s before/after the configs (mean ${ceiling.toFixed(1)} per worker); ` +
      `per CPU second ${ceilingRuns.map((g) => g.cpu.toFixed(1)).join(', ')} (mean ${ceilingCpu.toFixed(1)})`,
  );
  console.log(
    `\n${'config'.padEnd(22)} ${'batch'.padStart(5)} ${'ms/step'.padStart(9)} ${'img/s'.padStart(7)} ${'GFLOP/s'.padStart(8)} ${'÷ ceiling'.padStart(9)} ` +
      `${'CPU ms'.padStart(8)} ${'÷ ceil/CPU'.padStart(10)} ${'÷ PyTorch'.padStart(9)}`,
  );
  for (const r of results) {
    const wasm = r.backend === 'wasm';
    row(r.label, r.n, r.ms, trainFlops, wasm ? ceiling * r.workers : null, r.n === batch ? torchImgPerS : null, r.cpuMs, wasm ? ceilingCpu : null);
  }
  if (torchMs) {
    row('pytorch eager, 2 thr', batch, torchMs, trainFlops, null, torchImgPerS, null, null);
    console.log(`PyTorch runs before/after ours: ${torchRuns.map((ms) => `${ms.toFixed(0)} ms`).join(', ')} per step (mean used for the ratio)`);
  }
  if (torchNote) console.log(torchNote);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
