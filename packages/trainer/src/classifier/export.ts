import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { OnnxEmitter, transposeArray } from '../model/emitter.js';
import { DEFAULT_EXPORT_OPSET } from '../model/export.js';
import { ExportCheckError, type ExportCheckOptions } from '../model/export-check.js';
import { initialValues } from '../model/params.js';
import type { ImageClassifier } from './model.js';

/** The classifier graph's input (NCHW images in [−1, 1]) and outputs. */
export const CLASSIFIER_IO_NAMES = { image: 'image', features: 'features', logits: 'logits' } as const;

/** metadata_props key holding the classifier's config, classes and training facts (JSON). */
export const CLASSIFIER_METADATA_KEY = 'onnx_ddpm.classifier';

/**
 * Builds the ONNX classifier: input `image` float32 [N, C, H, W] in [−1, 1]; outputs `features`
 * float32 [N, hidden] (penultimate ReLU activations) and `logits` float32 [N, numClasses].
 * `facts` (class names, data, steps, test accuracy…) are stored under CLASSIFIER_METADATA_KEY with the config.
 */
export function exportClassifierOnnx(model: ImageClassifier, facts: Record<string, unknown>, opset = DEFAULT_EXPORT_OPSET): Uint8Array {
  const c = model.config;
  const names = CLASSIFIER_IO_NAMES;
  const graph = new GraphBuilder({ opset, name: 'image_classifier' });
  graph.input(names.image, 'float32', ['N', c.channels, c.imageSize, c.imageSize]);
  model.emit(new OnnxEmitter(graph), names.image, { features: names.features, logits: names.logits });
  graph.output(names.features, 'float32', ['N', c.hidden]);
  graph.output(names.logits, 'float32', ['N', c.numClasses]);
  const proto = graph.build({
    docString: 'Image classifier trained with TensorFlow.js (onnx-ddpm); its features output feeds FID/KID',
    metadata: {
      [CLASSIFIER_METADATA_KEY]: JSON.stringify({
        image_size: c.imageSize,
        channels: c.channels,
        num_classes: c.numClasses,
        conv_channels: c.convChannels,
        hidden: c.hidden,
        parameter_count: model.parameterCount(),
        ...facts,
      }),
    },
  });
  return encodeModel(proto);
}

/**
 * Runs the exported bytes in onnxruntime-node (CPU) and the TF.js model on the same inputs (random
 * images in [−1, 1] of batch 1 and 5, plus `images` when given, NCHW) and compares both outputs.
 * Throws ExportCheckError beyond the tolerance (default 1e-4, docs/DESIGN.md); returns the max abs difference.
 */
export async function checkClassifierExport(
  bytes: Uint8Array,
  model: ImageClassifier,
  opts: ExportCheckOptions & { images?: { data: Float32Array; count: number } } = {},
): Promise<{ maxAbsDiff: number; cases: number }> {
  const tolerance = opts.tolerance ?? 1e-4;
  const { channels: ch, imageSize: s } = model.config;
  const itemSize = ch * s * s;
  const cases = [1, 5].map((n, k) => ({
    n,
    data: initialValues(opts.seed ?? 0, `classifier.parity.${k}`, n * itemSize, { kind: 'uniform', fanIn: 1 }),
  }));
  if (opts.images) cases.push({ n: opts.images.count, data: opts.images.data });
  const session = await ort.InferenceSession.create(bytes);
  let maxAbsDiff = 0;
  let worst = '';
  try {
    for (const { n, data } of cases) {
      const dims = [n, ch, s, s];
      const result = await session.run({ [CLASSIFIER_IO_NAMES.image]: new ort.Tensor('float32', data, dims) });
      const tfOut = tf.tidy(() => model.apply(tf.tensor4d(transposeArray(data, dims, [0, 2, 3, 1]), [n, s, s, ch])));
      for (const key of ['features', 'logits'] as const) {
        const expected = tfOut[key].dataSync() as Float32Array;
        const actual = result[CLASSIFIER_IO_NAMES[key]]?.data as Float32Array | undefined;
        if (!actual || actual.length !== expected.length) {
          throw new ExportCheckError(Number.POSITIVE_INFINITY, tolerance, `batch ${n}: output '${key}' missing or mis-sized`);
        }
        for (let i = 0; i < expected.length; i++) {
          const d = Math.abs(actual[i]! - expected[i]!);
          if (!(d <= maxAbsDiff)) {
            maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
            worst = `batch ${n}, output '${key}', element ${i}`;
          }
        }
      }
      tfOut.features.dispose();
      tfOut.logits.dispose();
    }
  } finally {
    await session.release();
  }
  if (maxAbsDiff > tolerance) throw new ExportCheckError(maxAbsDiff, tolerance, worst);
  return { maxAbsDiff, cases: cases.length };
}
