// `onnx-ddpm bench --runtimes … --train …`: the one-run benchmark table. Sampling on every selected
// parity runtime and training on every selected TF.js configuration, each in a child process of its
// own (its peak RSS), one after another; the matmul reference and FLOP counts in this process.
import type { SamplingMethod } from '@onnx-ddpm/schedule';
import { makeJob } from '../parity/job.js';
import type { ModelUnderTest } from '../parity/model-under-test.js';
import { parityRuntimes } from '../parity/runtimes.js';
import { runBenchChild } from './fork.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { isSlowRuntime, SAMPLING_RUNTIME_IDS, type SampleChildResult, type SamplingRuntimeId } from './sampling.js';
import { TRAIN_CONFIG_IDS, TRAIN_CONFIG_LABELS, type TrainBenchConfig, type TrainChildResult, type TrainConfigId, trainBenchConfig } from './training.js';

/** One batch size on one runtime. */
export interface SamplingRow {
  batch: number;
  steps: number;
  /** Wall time per reverse step (model call + step math + noise). */
  msPerStep: number;
  /** The model call's part; null where the runtime does not report it (then GFLOP/s uses msPerStep). */
  modelMsPerStep: number | null;
  /** (msPerStep − modelMsPerStep) / msPerStep · 100; null when unknown. */
  overheadPercent: number | null;
  /** Conv/ConvTranspose/MatMul/Gemm FLOPs (2 × MACs) of the one model call per step, / 10⁹. */
  gflopPerStep: number;
  gflops: number;
  /** gflops as a percentage of this run's ORT-node CPU matmul GFLOP/s. */
  percentOfMatmul: number;
}

export interface SamplingRuntimeReport {
  id: SamplingRuntimeId;
  label: string;
  status: 'ran' | 'skipped' | 'failed';
  reason?: string;
  detail?: string;
  /** Why larger batch sizes were not run (the --max-run-s cap). */
  capped?: string;
  /** Reverse steps timed per batch size on this runtime. */
  steps: number;
  rows: SamplingRow[];
  /** Peak RSS over the whole run (every batch size, the largest last), and whose it is. */
  peakRss: { bytes: number | null; largestBatch: number | null; of: string };
  seconds: number;
}

export interface TrainingReport {
  id: TrainConfigId;
  label: string;
  status: 'ran' | 'skipped' | 'failed';
  reason?: string;
  detail?: string;
  batch: number;
  warmup: number;
  steps: number;
  msPerStep: number | null;
  imgPerS: number | null;
  /** Training FLOPs ≈ 3 × forward FLOPs per image × img/s. */
  gflops: number | null;
  peakRssBytes: number | null;
  seconds: number;
}

export interface BenchTableReport {
  machine: MachineInfo;
  sampling: {
    model: string;
    sampleShape: number[];
    numClasses: number;
    method: SamplingMethod;
    batches: number[];
    /** Steps on ORT-node CPU/CUDA, and on the wasm and WebGPU runtimes. */
    steps: number;
    slowSteps: number;
    maxRunSeconds: number;
    matmul: { size: number; bestMs: number; gflops: number; medianGflops: number };
    runtimes: SamplingRuntimeReport[];
  } | null;
  training: {
    model: string;
    parameters: number;
    forwardGflopPerImage: number;
    configs: TrainingReport[];
  } | null;
  seconds: number;
}

export interface SamplingOptions {
  model: ModelUnderTest;
  selected: readonly SamplingRuntimeId[];
  batches: number[];
  method: SamplingMethod;
  steps: number;
  slowSteps: number;
  /** A runtime stops before a batch size projected to take longer than this (seconds). */
  maxRunSeconds: number;
  matmulSize: number;
}

export interface TrainingOptions {
  selected: readonly TrainConfigId[];
  batch: number;
  /** The cpu backend is far slower: it runs one step (no warm-up) at this batch. */
  cpuBatch: number;
  warmup: number;
  steps: number;
  imageSize: number;
  channels: number;
  numClasses: number;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
const since = (t0: number) => round((performance.now() - t0) / 1000, 1);

async function benchSampling(opts: SamplingOptions, log: (line: string) => void): Promise<NonNullable<BenchTableReport['sampling']>> {
  const sampler = await import('@onnx-ddpm/sampler/node');
  const { model } = opts;
  const job = (batch: number, steps: number) => makeJob(model, { method: opts.method, steps, eta: opts.method === 'ddim' ? 0 : 1, seed: 0, batch });
  const flops = new Map<number, number>();
  for (const batch of opts.batches) flops.set(batch, (await sampler.measureModelFlops(model.bytes, [batch, ...model.sampleShape])).flops);
  const labels = new Map(parityRuntimes(null, []).runtimes.map((r) => [r.id, r.label]));
  const notSelected = `not selected (--runtimes ${opts.selected.join(',')})`;
  const results: { id: SamplingRuntimeId; steps: number; result: SampleChildResult; seconds: number }[] = [];
  for (const id of SAMPLING_RUNTIME_IDS) {
    const steps = isSlowRuntime(id) ? Math.min(opts.slowSteps, opts.steps) : opts.steps;
    if (!opts.selected.includes(id)) {
      results.push({ id, steps, result: { status: 'skipped', reason: notSelected, runs: [], peakRssBytes: null, peakRssOf: '' }, seconds: 0 });
      continue;
    }
    log(`sampling on ${labels.get(id)}: batch ${opts.batches.join(', ')}, ${steps} ${opts.method} steps each ...`);
    const t0 = performance.now();
    let result: SampleChildResult;
    try {
      // The slow runtimes start a fresh process or page session per job anyway: no warm-up run.
      const warmup = isSlowRuntime(id) ? null : job(Math.min(...opts.batches), Math.min(2, steps));
      const jobs = [...opts.batches].sort((a, b) => a - b).map((b) => job(b, steps));
      const reply = await runBenchChild({ kind: 'sample', runtime: id, warmup, jobs, maxRunSeconds: opts.maxRunSeconds });
      if (reply.kind !== 'sample') throw new Error(reply.kind === 'error' ? reply.message : `unexpected reply ${reply.kind}`);
      result = reply.result;
    } catch (err) {
      result = { status: 'failed', reason: (err as Error).message, runs: [], peakRssBytes: null, peakRssOf: '' };
    }
    results.push({ id, steps, result, seconds: since(t0) });
    log(`  ${result.status} in ${since(t0).toFixed(1)} s${result.reason ? ` (${result.reason})` : ''}${result.capped ? `; ${result.capped}` : ''}`);
  }
  // After the runtimes, with nothing else running: this machine's reference GFLOP/s.
  log(`matmul ${opts.matmulSize}×${opts.matmulSize}×${opts.matmulSize} on onnxruntime-node CPU ...`);
  const matmul = await sampler.measureMatmulGflops({ size: opts.matmulSize });
  const runtimes = results.map(({ id, steps, result: r, seconds }): SamplingRuntimeReport => ({
    id,
    label: labels.get(id)!,
    status: r.status,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    ...(r.detail === undefined ? {} : { detail: r.detail }),
    ...(r.capped === undefined ? {} : { capped: r.capped }),
    steps,
    rows: r.runs.map((run) => {
      const f = flops.get(run.batch)!;
      const gflops = f / ((run.modelMsPerStep ?? run.msPerStep) * 1e6);
      return {
        batch: run.batch,
        steps: run.steps,
        msPerStep: round(run.msPerStep),
        modelMsPerStep: run.modelMsPerStep === null ? null : round(run.modelMsPerStep),
        overheadPercent: run.modelMsPerStep === null ? null : round((100 * (run.msPerStep - run.modelMsPerStep)) / run.msPerStep, 2),
        gflopPerStep: round(f / 1e9, 6),
        gflops: round(gflops, 2),
        percentOfMatmul: round((100 * gflops) / matmul.gflops, 1),
      };
    }),
    peakRss: { bytes: r.peakRssBytes, largestBatch: r.runs.length > 0 ? Math.max(...r.runs.map((x) => x.batch)) : null, of: r.peakRssOf },
    seconds,
  }));
  return {
    model: model.description,
    sampleShape: model.sampleShape,
    numClasses: model.numClasses,
    method: opts.method,
    batches: opts.batches,
    steps: opts.steps,
    slowSteps: Math.min(opts.slowSteps, opts.steps),
    maxRunSeconds: opts.maxRunSeconds,
    matmul: { size: matmul.size, bestMs: round(matmul.bestMs), gflops: round(matmul.gflops, 2), medianGflops: round(matmul.medianGflops, 2) },
    runtimes,
  };
}

async function benchTraining(opts: TrainingOptions, log: (line: string) => void): Promise<NonNullable<BenchTableReport['training']>> {
  const trainer = await import('@onnx-ddpm/trainer/node');
  // FLOPs and parameters of the model every configuration trains (on whichever backend is here).
  await trainer.selectBackend('auto');
  const unet = trainer.defaultUNetConfig(opts.imageSize, opts.channels, opts.numClasses);
  const net = trainer.createModel(unet, 0);
  const forwardFlops = net.forwardFlops();
  const parameters = net.parameterCount();
  net.dispose();
  const notSelected = `not selected (--train ${opts.selected.join(',')})`;
  const configs: TrainingReport[] = [];
  for (const id of TRAIN_CONFIG_IDS) {
    const cpu = id === 'cpu';
    const config: TrainBenchConfig = trainBenchConfig(id, {
      batch: cpu ? opts.cpuBatch : opts.batch,
      warmup: cpu ? 0 : opts.warmup,
      steps: cpu ? 1 : opts.steps,
      imageSize: opts.imageSize,
      channels: opts.channels,
      numClasses: opts.numClasses,
    });
    const t0 = performance.now();
    let result: TrainChildResult;
    let peakRssBytes: number | null = null;
    if (!opts.selected.includes(id)) {
      result = { status: 'skipped', reason: notSelected };
    } else {
      log(`training on ${TRAIN_CONFIG_LABELS[id]}: batch ${config.batch}, ${config.warmup} warm-up + ${config.steps} timed steps ...`);
      try {
        const reply = await runBenchChild({ kind: 'train', config });
        if (reply.kind !== 'train') throw new Error(reply.kind === 'error' ? reply.message : `unexpected reply ${reply.kind}`);
        result = reply.result;
        if (result.status === 'ran') peakRssBytes = reply.peakRssBytes;
      } catch (err) {
        result = { status: 'failed', reason: (err as Error).message };
      }
      log(`  ${result.status} in ${since(t0).toFixed(1)} s${result.reason ? ` (${result.reason})` : ''}`);
    }
    const ms = result.msPerStep ?? null;
    const imgPerS = ms === null ? null : (1000 * config.batch) / ms;
    configs.push({
      id,
      label: TRAIN_CONFIG_LABELS[id],
      status: result.status,
      ...(result.reason === undefined ? {} : { reason: result.reason }),
      ...(result.detail === undefined ? {} : { detail: result.detail }),
      batch: config.batch,
      warmup: config.warmup,
      steps: config.steps,
      msPerStep: ms === null ? null : round(ms, 1),
      imgPerS: imgPerS === null ? null : round(imgPerS, 2),
      gflops: imgPerS === null ? null : round((3 * forwardFlops * imgPerS) / 1e9, 2),
      peakRssBytes,
      seconds: since(t0),
    });
  }
  const { imageSize: s, channels: c, numClasses: k } = unet;
  return {
    model: `default ${s}×${s}×${c} U-Net, ${k} classes, ${parameters} parameters`,
    parameters,
    forwardGflopPerImage: round(forwardFlops / 1e9, 6),
    configs,
  };
}

/** Runs the selected parts (null: not asked for) and returns the report. */
export async function runBenchTable(
  opts: { sampling: SamplingOptions | null; training: TrainingOptions | null },
  log: (line: string) => void,
): Promise<BenchTableReport> {
  const t0 = performance.now();
  const machine = machineInfo();
  const sampling = opts.sampling ? await benchSampling(opts.sampling, log) : null;
  const training = opts.training ? await benchTraining(opts.training, log) : null;
  return { machine, sampling, training, seconds: since(t0) };
}
