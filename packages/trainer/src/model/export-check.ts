import { DDPM_IO_NAMES, DDPM_METADATA_KEYS, inspectModel } from '@onnx-ddpm/onnx';
import { parseSchedulerConfig } from '@onnx-ddpm/schedule';
import * as ort from 'onnxruntime-node';
import type { EpsNet } from './eps-net.js';
import { applyOnnxLayout } from './onnx-layout.js';
import { initialValues } from './params.js';

/** The exported graph and the TF.js model disagree by more than the tolerance. */
export class ExportCheckError extends Error {
  override name = 'ExportCheckError';
  constructor(
    readonly maxAbsDiff: number,
    readonly tolerance: number,
    detail: string,
  ) {
    super(`ONNX export self-check failed: max |onnx − tfjs| = ${maxAbsDiff.toExponential(3)} > ${tolerance} (${detail})`);
  }
}

export interface ExportCheckOptions {
  /** Max allowed absolute difference (default 1e-4, docs/DESIGN.md). */
  tolerance?: number;
  /** Seed of the random inputs (default 0). */
  seed?: number;
}

interface ExportCheckCase {
  batch: number;
  t: number[];
}

/** Timesteps come from the model's scheduler metadata (T = num_train_timesteps; default 1000). */
function trainTimesteps(bytes: Uint8Array): number {
  const json = inspectModel(bytes).metadata[DDPM_METADATA_KEYS.schedulerConfig];
  return json ? parseSchedulerConfig(json).num_train_timesteps : 1000;
}

/**
 * Runs the exported bytes in onnxruntime-node (CPU) and model.apply (training = false) on the
 * same random inputs — batch sizes 1 and 3, timesteps including 0 and T−1, random labels
 * including "no label" — and compares in NCHW. Throws ExportCheckError when the max abs
 * difference exceeds the tolerance; otherwise returns it.
 */
export async function checkExport(
  bytes: Uint8Array,
  model: EpsNet,
  opts: ExportCheckOptions = {},
): Promise<{ maxAbsDiff: number; cases: number }> {
  const tolerance = opts.tolerance ?? 1e-4;
  const seed = opts.seed ?? 0;
  const T = trainTimesteps(bytes);
  const c = model.config;
  const cases: ExportCheckCase[] = [
    { batch: 1, t: [0] },
    { batch: 1, t: [T - 1] },
    { batch: 3, t: [0, Math.floor(T / 2), T - 1] },
    { batch: 3, t: [1, Math.floor(T / 4), Math.floor((3 * T) / 4)] },
  ];
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
  let maxAbsDiff = 0;
  let worst = '';
  try {
    for (const [k, { batch, t }] of cases.entries()) {
      const sampleDims = c.kind === 'unet' ? [batch, c.channels, c.imageSize, c.imageSize] : [batch, c.dataDim];
      const size = sampleDims.reduce((a, b) => a * b, 1);
      const sample = initialValues(seed, `parity.sample.${k}`, size, { kind: 'normal' });
      const labels =
        c.numClasses > 0
          ? initialValues(seed, `parity.labels.${k}`, batch, { kind: 'uniform', fanIn: 1 }).map((u) =>
              Math.min(c.numClasses, Math.floor(((u + 1) / 2) * (c.numClasses + 1))),
            )
          : null;
      const feeds: Record<string, ort.Tensor> = {
        [DDPM_IO_NAMES.sample]: new ort.Tensor('float32', sample, sampleDims),
        [DDPM_IO_NAMES.timestep]: new ort.Tensor('int64', BigInt64Array.from(t, BigInt), [batch]),
      };
      if (labels) {
        feeds[DDPM_IO_NAMES.classLabels] = new ort.Tensor('int64', BigInt64Array.from(labels, BigInt), [batch]);
      }
      const result = await session.run(feeds);
      const onnxOut = result[DDPM_IO_NAMES.outSample]?.data as Float32Array | undefined;
      if (!onnxOut || onnxOut.length !== size) {
        throw new ExportCheckError(Number.POSITIVE_INFINITY, tolerance, `case ${k}: output '${DDPM_IO_NAMES.outSample}' missing or mis-sized`);
      }
      const tfOut = await applyOnnxLayout(model, sample, sampleDims, t, labels);
      for (let i = 0; i < size; i++) {
        const d = Math.abs((onnxOut[i] as number) - (tfOut[i] as number));
        if (!(d <= maxAbsDiff)) {
          maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
          worst = `batch ${batch}, t = [${t}]${labels ? `, labels = [${Array.from(labels)}]` : ''}, element ${i}`;
        }
      }
    }
  } finally {
    await session.release();
  }
  if (maxAbsDiff > tolerance) throw new ExportCheckError(maxAbsDiff, tolerance, worst);
  return { maxAbsDiff, cases: cases.length };
}
