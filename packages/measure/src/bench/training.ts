// Training throughput of the ε-U-Net on one TF.js backend configuration, through the trainer's own
// engines (the data-parallel worker engine for wasm/cpu, one local replica for tfjs-node). Shared by
// `onnx-ddpm bench --train` (one child process per configuration) and scripts/bench-train.mjs.
import { DEFAULT_SCHEDULER_CONFIG } from '@onnx-ddpm/schedule';
import type { TrainBatch, TrainEngine, TrainHyper } from '@onnx-ddpm/trainer/node';

/** Training configurations of `bench --train`, in table order. */
export const TRAIN_CONFIG_IDS = ['wasm-1', 'wasm-2', 'cpu', 'tensorflow'] as const;
export type TrainConfigId = (typeof TRAIN_CONFIG_IDS)[number];

export const TRAIN_CONFIG_LABELS: Record<TrainConfigId, string> = {
  'wasm-1': 'TF.js wasm, 1 worker',
  'wasm-2': 'TF.js wasm, 2 workers',
  cpu: 'TF.js cpu, 1 worker',
  tensorflow: 'TF.js tensorflow (tfjs-node)',
};

/** One timed configuration: the default U-Net for imageSize × imageSize × channels. */
export interface TrainBenchConfig {
  id: TrainConfigId;
  backend: 'wasm' | 'cpu' | 'tensorflow';
  /** Data-parallel worker threads (wasm/cpu); tensorflow runs one replica in this thread. */
  workers: number;
  batch: number;
  /** Untimed steps first (kernel set-up, heap growth). */
  warmup: number;
  steps: number;
  imageSize: number;
  channels: number;
  numClasses: number;
}

export function trainBenchConfig(id: TrainConfigId, opts: Omit<TrainBenchConfig, 'id' | 'backend' | 'workers'>): TrainBenchConfig {
  if (id === 'tensorflow') return { ...opts, id, backend: 'tensorflow', workers: 1 };
  if (id === 'cpu') return { ...opts, id, backend: 'cpu', workers: 1 };
  return { ...opts, id, backend: 'wasm', workers: id === 'wasm-2' ? 2 : 1 };
}

/** The hyper-parameters of an image run (`train --data fashion-mnist`); speed does not depend on them. */
export const BENCH_TRAIN_HYPER: TrainHyper = {
  scheduler: DEFAULT_SCHEDULER_CONFIG,
  lr: 2e-4,
  warmupSteps: 100,
  gradClip: 1,
  emaDecay: 0.999,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEps: 1e-8,
};

/**
 * A deterministic synthetic batch [n, size, size, channels] (uniform x_0, Box–Muller ε, uniform t,
 * labels cycling through the classes and "no label"): the step's cost does not depend on the data.
 */
export function syntheticBatch(n: number, size: number, channels: number, numClasses: number, step: number): TrainBatch {
  const d = size * size * channels;
  const x0 = new Float32Array(n * d);
  const eps = new Float32Array(n * d);
  const t = new Int32Array(n);
  let s = ((step + 1) * 2654435761) >>> 0;
  const rnd = () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < x0.length; i++) {
    x0[i] = rnd() * 2 - 1;
    eps[i] = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  }
  for (let i = 0; i < n; i++) t[i] = Math.floor(rnd() * DEFAULT_SCHEDULER_CONFIG.num_train_timesteps);
  const labels = numClasses > 0 ? Int32Array.from({ length: n }, (_, i) => i % (numClasses + 1)) : null;
  return { x0, eps, t, labels, shape: [n, size, size, channels], dropoutSeed: step };
}

/** Mean wall time and CPU time (this process, all threads: the workers are threads) per timed step. */
export interface StepTimes {
  ms: number;
  cpuMs: number;
}

/**
 * Runs `warmup` untimed and `steps` timed steps of `engine`. `afterStep` runs after each timed step
 * (outside the timing), e.g. to read the engine's own step timings.
 */
export async function timeTrainSteps(
  engine: TrainEngine,
  opts: { batch: number; warmup: number; steps: number; imageSize: number; channels: number; numClasses: number },
  afterStep?: () => void,
): Promise<StepTimes> {
  const batch = (step: number) => syntheticBatch(opts.batch, opts.imageSize, opts.channels, opts.numClasses, step);
  for (let s = 0; s < opts.warmup; s++) await engine.step(batch(s), s);
  let ms = 0;
  let cpuMs = 0;
  for (let s = opts.warmup; s < opts.warmup + opts.steps; s++) {
    const next = batch(s);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await engine.step(next, s);
    ms += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuMs += (c.user + c.system) / 1000;
    afterStep?.();
  }
  return { ms: ms / opts.steps, cpuMs: cpuMs / opts.steps };
}

/** What one configuration measured, or why it could not run. */
export interface TrainChildResult {
  status: 'ran' | 'skipped' | 'failed';
  reason?: string;
  /** The engine's description, e.g. "2 workers on wasm (wasm: …)". */
  detail?: string;
  msPerStep?: number;
}

/** Builds the configuration's engine (skipped when tfjs-node is not installed) and times it. */
export async function benchTrainConfig(config: TrainBenchConfig): Promise<TrainChildResult> {
  const trainer = await import('@onnx-ddpm/trainer/node');
  const init = { modelConfig: trainer.defaultUNetConfig(config.imageSize, config.channels, config.numClasses), train: BENCH_TRAIN_HYPER, seed: 0 };
  let engine: TrainEngine;
  if (config.backend === 'tensorflow') {
    try {
      const choice = await trainer.selectBackend('tensorflow');
      engine = trainer.createLocalEngine(init, `tensorflow (${choice.device})`);
    } catch (err) {
      return { status: 'skipped', reason: (err as Error).message.replace(/^backend: /, '') };
    }
  } else {
    engine = await trainer.createWorkerEngine({ ...init, workers: config.workers, backend: config.backend });
  }
  try {
    const { ms } = await timeTrainSteps(engine, config);
    return { status: 'ran', detail: engine.description, msPerStep: ms };
  } finally {
    await engine.dispose();
  }
}
