// The training loop itself, shared by the CLI's run (loop.ts: run folder, checkpoints, signals) and the web
// page's Train mode (a worker): batches by (seed, step), one engine step each, the loss and its EMA, log
// records, EMA-weight previews. What happens around a step is the caller's, through the hooks.
import { createModel } from '../model/index.js';
import type { TrainConfig } from './config.js';
import type { TrainEngine } from './engine.js';
import { learningRateAt } from './hyper.js';
import { sampleDdim } from './preview.js';
import type { BatchSampler } from './sampler.js';

/** One record of the training log (a line of `<run>/log.jsonl`, a point of the page's loss curve). */
export interface TrainLogRecord {
  step: number;
  loss: number;
  ema_loss: number;
  grad_norm: number;
  lr: number;
  img_per_s: number;
  elapsed_s: number;
}

export interface TrainingStepsOptions {
  config: TrainConfig;
  engine: TrainEngine;
  sampler: BatchSampler;
  /** Steps already done (a resumed run), and the step to stop after. */
  firstStep: number;
  lastStep: number;
  /** The loss and its EMA so far (NaN for a new run). */
  loss: number;
  emaLoss: number;
  /** Seconds of training so far, including earlier sessions of a resumed run. */
  elapsed: () => number;
  /** Checked before each step: true ends the loop (the step in progress always finishes). */
  shouldStop: () => boolean;
  /** Called when a step's loss is not finite (`step` 1-based); the loop throws what it returns. */
  diverged: (loss: number, step: number) => Error;
  /** After every step (after its log line), with the step count, the loss and its EMA. */
  onStep?: (step: number, loss: number, emaLoss: number) => void;
  /** Every logEvery steps and after the last. */
  onLog?: (record: TrainLogRecord) => void;
  /** Every previewEvery steps (and at the run's last step): samples drawn with the EMA weights, NHWC or [N, D]. */
  onPreview?: (step: number, samples: Float32Array, shape: number[]) => void | Promise<void>;
  /** After a step's log and preview, before the next (checkpoints, letting queued events run). */
  afterStep?: (step: number) => Promise<void>;
}

/** Runs steps firstStep … lastStep − 1 (or until shouldStop) and says where it ended. */
export async function runTrainingSteps(opts: TrainingStepsOptions): Promise<{ step: number; loss: number; emaLoss: number }> {
  const { config, engine, sampler } = opts;
  const s = config.train;
  // A second model holds the EMA weights for previews.
  const shadow = opts.onPreview ? createModel(config.model, s.seed) : null;
  let { loss, emaLoss } = opts;
  let step = opts.firstStep;
  let windowStart = performance.now();
  let windowSteps = 0;
  try {
    while (step < opts.lastStep && !opts.shouldStop()) {
      const result = await engine.step(sampler.batch(step), step);
      if (!Number.isFinite(result.loss)) throw opts.diverged(result.loss, step + 1);
      step++;
      windowSteps++;
      loss = result.loss;
      emaLoss = Number.isNaN(emaLoss) ? loss : 0.98 * emaLoss + 0.02 * loss;
      if (step % s.logEvery === 0 || step === opts.lastStep) {
        const now = performance.now();
        opts.onLog?.({
          step,
          loss,
          ema_loss: emaLoss,
          grad_norm: result.gradNorm,
          lr: learningRateAt(s, step - 1),
          img_per_s: (windowSteps * s.batchSize) / Math.max(1e-9, (now - windowStart) / 1000),
          elapsed_s: opts.elapsed(),
        });
        windowStart = now;
        windowSteps = 0;
      }
      // After the log line, so that a step reported done is in the log.
      opts.onStep?.(step, loss, emaLoss);
      if (shadow && s.previewEvery > 0 && (step % s.previewEvery === 0 || step === s.steps)) {
        shadow.setWeights((await engine.getState()).ema);
        const { samples, shape } = await sampleDdim(shadow, config.scheduler, { count: s.previewCount, steps: s.previewSteps, seed: s.seed });
        await opts.onPreview!(step, samples, shape);
      }
      await opts.afterStep?.(step);
    }
  } finally {
    shadow?.dispose();
  }
  return { step, loss, emaLoss };
}
