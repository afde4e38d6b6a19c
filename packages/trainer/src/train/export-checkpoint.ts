import { createModel } from '../model/index.js';
import { checkExport } from '../model/node.js';
import { writeFileAtomic } from '../files/index.js';
import { type Checkpoint, CheckpointError } from './checkpoint.js';
import { exportTrainedRun } from './trained-run.js';

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
    const bytes = exportTrainedRun(ckpt, model, { useEma, opset: opts.opset });
    const { maxAbsDiff } = await checkExport(bytes, model);
    await writeFileAtomic(path, bytes);
    return { path, bytes: bytes.length, maxAbsDiff, parameterCount: model.parameterCount() };
  } finally {
    model.dispose();
  }
}
