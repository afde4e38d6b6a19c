// A trained model as its run describes it (steps, configuration, metrics, weights), and its ONNX export:
// the bytes `onnx-ddpm export` writes for a checkpoint and the web page's Export ONNX writes for its run.
import { type EpsNet, exportOnnx } from '../model/index.js';
import type { TrainConfig } from './config.js';
import type { ReplicaState } from './state.js';

/** What a run's export needs: a checkpoint has it all, the web page's Train mode keeps it in memory. */
export interface TrainedRun {
  /** Completed optimiser steps. */
  step: number;
  config: TrainConfig;
  state: ReplicaState;
  /** Latest training loss, its running average, the backend that produced them, and the training time. */
  metrics: { loss: number; emaLoss: number; backend: string; elapsedSeconds: number };
}

/** The `onnx_ddpm.training` metadata of a run. */
export function trainingMetadata(run: Omit<TrainedRun, 'state'>, useEma: boolean): Record<string, unknown> {
  const t = run.config.train;
  return {
    dataset: run.config.data.spec,
    steps: run.step,
    batch: t.batchSize,
    lr: t.lr,
    ema_decay: t.emaDecay,
    weights: useEma ? 'ema' : 'raw',
    final_loss: run.metrics.loss,
    final_ema_loss: run.metrics.emaLoss,
    backend: run.metrics.backend,
    seed: t.seed,
    class_conditional: t.classConditional,
    label_dropout: t.labelDropout,
    train_seconds: Math.round(run.metrics.elapsedSeconds),
  };
}

/** Sets `model` (built from the run's model config) to the run's EMA (or raw) weights and exports it to ONNX. */
export function exportTrainedRun(run: TrainedRun, model: EpsNet, opts: { useEma: boolean; opset?: number }): Uint8Array {
  model.setWeights(opts.useEma ? run.state.ema : run.state.weights);
  return exportOnnx({
    model,
    schedulerConfig: run.config.scheduler,
    training: trainingMetadata(run, opts.useEma),
    ...(opts.opset !== undefined ? { opset: opts.opset } : {}),
  });
}
