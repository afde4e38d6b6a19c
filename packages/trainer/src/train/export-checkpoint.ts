import { createModel, exportOnnx } from '../model/index.js';
import { checkExport } from '../model/node.js';
import { writeFileAtomic } from '../files/index.js';
import { type Checkpoint, CheckpointError } from './checkpoint.js';

export interface ExportCheckpointOptions {
  /** Export the EMA weights (default true) rather than the raw ones. */
  useEma?: boolean;
  opset?: number;
}

export interface ExportCheckpointResult {
  path: string;
  bytes: number;
  /** Max |ONNX Runtime − TF.js| of the post-export self-check. */
  maxAbsDiff: number;
  parameterCount: number;
}

/** The `onnx_ddpm.training` metadata of a checkpoint. */
export function trainingMetadata(ckpt: Checkpoint, useEma: boolean): Record<string, unknown> {
  const t = ckpt.config.train;
  return {
    dataset: ckpt.config.data.spec,
    steps: ckpt.step,
    batch: t.batchSize,
    lr: t.lr,
    ema_decay: t.emaDecay,
    weights: useEma ? 'ema' : 'raw',
    final_loss: ckpt.metrics.loss,
    final_ema_loss: ckpt.metrics.emaLoss,
    backend: ckpt.metrics.backend,
    seed: t.seed,
    class_conditional: t.classConditional,
    label_dropout: t.labelDropout,
    train_seconds: Math.round(ckpt.metrics.elapsedSeconds),
  };
}

/**
 * Exports a checkpoint's model (EMA weights by default) to ONNX, checks the file against TF.js in
 * onnxruntime-node (throws ExportCheckError beyond 1e-4), then writes it atomically to `path`.
 * Needs an active TF.js backend.
 */
export async function exportCheckpoint(
  ckpt: Checkpoint,
  path: string,
  opts: ExportCheckpointOptions = {},
): Promise<ExportCheckpointResult> {
  const useEma = opts.useEma ?? true;
  const model = createModel(ckpt.config.model, ckpt.config.train.seed);
  try {
    const names = ckpt.params.map((p) => p.name);
    if (names.length !== model.paramNames.length || names.some((n, i) => n !== model.paramNames[i])) {
      throw new CheckpointError(
        `${ckpt.dir ?? 'checkpoint'}: its parameter names do not match the model built from its config (saved by another version?)`,
      );
    }
    model.setWeights(useEma ? ckpt.state.ema : ckpt.state.weights);
    const bytes = exportOnnx({
      model,
      schedulerConfig: ckpt.config.scheduler,
      training: trainingMetadata(ckpt, useEma),
      ...(opts.opset !== undefined ? { opset: opts.opset } : {}),
    });
    const { maxAbsDiff } = await checkExport(bytes, model);
    await writeFileAtomic(path, bytes);
    return { path, bytes: bytes.length, maxAbsDiff, parameterCount: model.parameterCount() };
  } finally {
    model.dispose();
  }
}
