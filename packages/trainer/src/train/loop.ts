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
import { ProgressBar, type ProgressStream } from './progress.js';
import type { ReplicaInit } from './replica.js';
import { BatchSampler } from './sampler.js';
import type { ReplicaState } from './state.js';
import { runTrainingSteps, type TrainLogRecord } from './steps.js';

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
  // The parameter names and shapes the checkpoints record.
  const named = createModel(config.model, s.seed);
  const params = named.params.map((p, i) => ({ name: named.paramNames[i]!, shape: p.shape.slice() }));
  named.dispose();
  const sampler = BatchSampler.forConfig(dataset, config);
  const progress = opts.progress === null ? null : new ProgressBar(opts.progress ?? process.stderr, firstStep, s.steps, s.logEvery);
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
    ({ step, loss, emaLoss } = await runTrainingSteps({
      config,
      engine,
      sampler,
      firstStep,
      lastStep,
      loss,
      emaLoss,
      elapsed,
      shouldStop: () => stopRequested,
      diverged: (bad, at) => new TrainingDivergedError(bad, at, saved ? { step: saved.step, path: join(runDir, 'checkpoint') } : null),
      onStep: (done, stepLoss, stepEmaLoss) => {
        [step, loss, emaLoss] = [done, stepLoss, stepEmaLoss];
        progress?.update(done, stepEmaLoss);
      },
      onLog: (record) => {
        appendFileSync(logPath, `${JSON.stringify(record)}\n`);
        opts.onLog?.(record);
      },
      onPreview: opts.onPreview
        ? async (done, samples, shape) => {
            progress?.interrupt();
            await opts.onPreview!(done, samples, shape);
          }
        : undefined,
      afterStep: async (done) => {
        if (done % s.checkpointEvery === 0 || done === lastStep) await save();
        // Let signal handlers run between steps.
        await new Promise((resolve) => setImmediate(resolve));
      },
    }));
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
    await engine.dispose();
  }
}
