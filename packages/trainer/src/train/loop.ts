import { appendFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { createModel } from '../model/index.js';
import { writeFileAtomic } from '../files/index.js';
import { type Checkpoint, saveCheckpoint } from './checkpoint.js';
import { hyperOf, type TrainConfig } from './config.js';
import { createLocalEngine, type TrainEngine } from './engine.js';
import { ensureGradients } from '../backend/index.js';
import { learningRateAt } from './hyper.js';
import { sampleDdim } from './preview.js';
import { ProgressBar, type ProgressStream } from './progress.js';
import type { ReplicaInit } from './replica.js';
import { BatchSampler } from './sampler.js';
import type { ReplicaState } from './state.js';

/** One line of `<run>/log.jsonl`. */
export interface TrainLogRecord {
  step: number;
  loss: number;
  ema_loss: number;
  grad_norm: number;
  lr: number;
  img_per_s: number;
  elapsed_s: number;
}

/** The loss stopped being finite; names the last good checkpoint, or says there is none yet. */
export class TrainingDivergedError extends Error {
  constructor(loss: number, step: number, lastGood: { step: number; path: string } | null) {
    super(
      `the loss became ${loss} at step ${step}; try a lower --lr. ` +
        (lastGood ? `The last good checkpoint is step ${lastGood.step} in ${lastGood.path}` : 'No checkpoint was saved yet'),
    );
    this.name = 'TrainingDivergedError';
  }
}

export interface TrainOptions {
  config: TrainConfig;
  /** Run folder (see openRunFolder, which starts or trims its log.jsonl): checkpoints and config.json go here, log records are appended. */
  runDir: string;
  dataset: Dataset;
  /** Continue from this checkpoint; `config.train.steps` is the new total. */
  resume?: Checkpoint;
  /** Builds the engine (default: one local replica on the current backend). */
  createEngine?: (init: ReplicaInit) => Promise<TrainEngine> | TrainEngine;
  /** Backend name recorded in checkpoints and the ONNX metadata. */
  backendName?: string;
  /** Called every previewEvery steps with samples drawn with the EMA weights (NHWC or [N, D]). */
  onPreview?: (step: number, samples: Float32Array, shape: number[]) => void | Promise<void>;
  /** Called with each log record as it is written. */
  onLog?: (record: TrainLogRecord) => void;
  /** Progress bar stream (default process.stderr; null for none). */
  progress?: ProgressStream | null;
  /** Messages such as "saved checkpoint" (default: stderr). */
  log?: (line: string) => void;
  /** On SIGINT/SIGTERM: finish the step, save a checkpoint, return (default true). */
  handleSignals?: boolean;
  /** Stop (with a checkpoint) once this many steps are complete, before the configured total. */
  stopAtStep?: number;
}

export interface TrainResult {
  /** Completed steps. */
  step: number;
  loss: number;
  emaLoss: number;
  /** True when stopped early by a signal or stopAtStep. */
  interrupted: boolean;
  /** The last saved checkpoint (`dir`: its snapshot folder), e.g. to export without reading it back. */
  checkpoint: Checkpoint;
  /** Wall-clock seconds of this call. */
  seconds: number;
  state: ReplicaState;
}

/**
 * Trains for config.train.steps steps (or continues a checkpoint), with batches determined by
 * (seed, step), JSON-lines logs, EMA previews, and crash-safe checkpoints every checkpointEvery steps,
 * at the end, and on Ctrl-C.
 */
export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { config, runDir, dataset } = opts;
  const s = config.train;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const backendName = opts.backendName ?? 'unknown';
  const started = performance.now();
  const firstStep = opts.resume?.step ?? 0;
  const lastStep = Math.min(s.steps, opts.stopAtStep ?? s.steps);
  await mkdir(runDir, { recursive: true });
  await writeFileAtomic(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  const logPath = join(runDir, 'log.jsonl');

  await ensureGradients();
  const init: ReplicaInit = { modelConfig: config.model, train: hyperOf(config), seed: s.seed };
  if (opts.resume) init.state = opts.resume.state;
  const engine = await (opts.createEngine ?? ((i: ReplicaInit) => createLocalEngine(i, backendName)))(init);
  // A second model holds the EMA weights for previews; it also gives the parameter names and shapes.
  const shadow = createModel(config.model, s.seed);
  const params = shadow.params.map((p, i) => ({ name: shadow.paramNames[i]!, shape: p.shape.slice() }));
  const sampler = BatchSampler.forConfig(dataset, config);
  const progress = opts.progress === null ? null : new ProgressBar({ label: 'step', total: s.steps, first: firstStep, lineEvery: s.logEvery, stream: opts.progress ?? process.stderr });
  const previousElapsed = opts.resume?.metrics.elapsedSeconds ?? 0;
  const elapsed = () => previousElapsed + (performance.now() - started) / 1000;

  let stopRequested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) {
      progress?.interrupt();
      log(`${signal} again: exiting now; ${join(runDir, 'checkpoint')} holds the last saved step`);
      process.exit(130);
    }
    stopRequested = true;
    progress?.interrupt();
    log(`${signal}: saving a checkpoint after this step (press Ctrl-C again to quit without saving)`);
  };
  const handleSignals = opts.handleSignals ?? true;
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  let loss = opts.resume?.metrics.loss ?? Number.NaN;
  let emaLoss = opts.resume?.metrics.emaLoss ?? Number.NaN;
  // The last checkpoint in runDir (a resumed one without `dir` was read elsewhere: not saved here yet).
  let saved = opts.resume?.dir ? opts.resume : undefined;
  let windowStart = performance.now();
  let windowSteps = 0;
  let step = firstStep;
  const save = async () => {
    const ckpt: Checkpoint = {
      step,
      config,
      params,
      state: await engine.getState(),
      metrics: { loss, emaLoss, backend: backendName, elapsedSeconds: elapsed() },
    };
    saved = { ...ckpt, dir: await saveCheckpoint(runDir, ckpt) };
    return saved;
  };

  try {
    while (step < lastStep && !stopRequested) {
      const batch = sampler.batch(step);
      const result = await engine.step(batch, step);
      if (!Number.isFinite(result.loss)) {
        throw new TrainingDivergedError(result.loss, step + 1, saved ? { step: saved.step, path: join(runDir, 'checkpoint') } : null);
      }
      step++;
      windowSteps++;
      loss = result.loss;
      emaLoss = Number.isNaN(emaLoss) ? loss : 0.98 * emaLoss + 0.02 * loss;
      progress?.update(step, `loss ${emaLoss.toFixed(4)}`);
      if (step % s.logEvery === 0 || step === lastStep) {
        const now = performance.now();
        const record: TrainLogRecord = {
          step,
          loss,
          ema_loss: emaLoss,
          grad_norm: result.gradNorm,
          lr: learningRateAt(s, step - 1),
          img_per_s: (windowSteps * s.batchSize) / Math.max(1e-9, (now - windowStart) / 1000),
          elapsed_s: elapsed(),
        };
        appendFileSync(logPath, `${JSON.stringify(record)}\n`);
        opts.onLog?.(record);
        windowStart = now;
        windowSteps = 0;
      }
      if (opts.onPreview && s.previewEvery > 0 && (step % s.previewEvery === 0 || step === s.steps)) {
        shadow.setWeights((await engine.getState()).ema);
        const { samples, shape } = await sampleDdim(shadow, config.scheduler, {
          count: s.previewCount,
          steps: s.previewSteps,
          seed: s.seed,
        });
        progress?.interrupt();
        await opts.onPreview(step, samples, shape);
      }
      if (step % s.checkpointEvery === 0 || step === lastStep) await save();
      // Let signal handlers run between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const last = saved?.step === step ? saved : await save();
    progress?.interrupt();
    return {
      step,
      loss,
      emaLoss,
      interrupted: step < s.steps,
      checkpoint: last,
      seconds: (performance.now() - started) / 1000,
      state: last.state,
    };
  } finally {
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    shadow.dispose();
    await engine.dispose();
  }
}
