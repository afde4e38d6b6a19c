import { inspectModel } from '@onnx-ddpm/onnx';
import { createSessionWithFallback, type ExecutionProviderName } from '@onnx-ddpm/sampler/node';
import { CLASSIFIER_IO_NAMES, CLASSIFIER_METADATA_KEY } from '@onnx-ddpm/trainer/node';
import * as ort from 'onnxruntime-node';
import type { FeatureMatrix } from './feature-matrix.js';

/** The classifier's penultimate features and predicted classes for a set of images. */
export interface ClassifiedImages {
  features: FeatureMatrix;
  predictions: Int32Array;
}

/** The facts `scripts/train-classifier.mjs` writes under `onnx_ddpm.classifier`. */
export interface ClassifierMetadata {
  image_size: number;
  channels: number;
  num_classes: number;
  hidden: number;
  test_accuracy?: number;
  dataset?: string;
}

/** The feature classifier on onnxruntime-node: images NCHW float32 in [−1, 1] in, features and arg-max classes out. */
export class OrtImageClassifier {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly meta: ClassifierMetadata,
    readonly executionProvider: ExecutionProviderName,
  ) {}

  static async create(bytes: Uint8Array, path: string, executionProviders: readonly ExecutionProviderName[]): Promise<OrtImageClassifier> {
    let meta: ClassifierMetadata;
    try {
      const entry = inspectModel(bytes).metadata[CLASSIFIER_METADATA_KEY];
      if (!entry) throw new Error(`no '${CLASSIFIER_METADATA_KEY}' metadata (make one with scripts/train-classifier.mjs)`);
      meta = JSON.parse(entry) as ClassifierMetadata;
    } catch (err) {
      throw new Error(`classifier ${path}: ${(err as Error).message}`);
    }
    const { session, executionProvider } = await createSessionWithFallback(bytes, executionProviders);
    const names = CLASSIFIER_IO_NAMES;
    if (!session.inputNames.includes(names.image) || !session.outputNames.includes(names.features) || !session.outputNames.includes(names.logits)) {
      await session.release();
      throw new Error(
        `classifier ${path}: expected input '${names.image}' and outputs '${names.features}', '${names.logits}'; ` +
          `it has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`,
      );
    }
    return new OrtImageClassifier(session, meta, executionProvider);
  }

  /** Item shape [C, H, W] the classifier takes. */
  get imageShape(): number[] {
    return [this.meta.channels, this.meta.image_size, this.meta.image_size];
  }

  /** Classifies `count` NCHW images in batches of `batch`. */
  async classify(images: Float32Array, count: number, batch = 500): Promise<ClassifiedImages> {
    const [c, h, w] = this.imageShape as [number, number, number];
    const item = c * h * w;
    if (images.length !== count * item) throw new Error(`classifier: ${images.length} values for ${count} images of [${c}, ${h}, ${w}]`);
    const dim = this.meta.hidden;
    const k = this.meta.num_classes;
    const features = new Float32Array(count * dim);
    const predictions = new Int32Array(count);
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const input = new ort.Tensor('float32', images.subarray(start * item, (start + n) * item), [n, c, h, w]);
      const out = await this.session.run({ [CLASSIFIER_IO_NAMES.image]: input });
      features.set(out[CLASSIFIER_IO_NAMES.features]!.data as Float32Array, start * dim);
      const logits = out[CLASSIFIER_IO_NAMES.logits]!.data as Float32Array;
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let j = 1; j < k; j++) if (logits[i * k + j]! > logits[i * k + best]!) best = j;
        predictions[start + i] = best;
      }
    }
    return { features: { data: features, rows: count, cols: dim }, predictions };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
