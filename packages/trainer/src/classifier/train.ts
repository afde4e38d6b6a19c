import * as tf from '@tensorflow/tfjs-core';
import { type Dataset, itemSize } from '../data/dataset.js';
import { SeededRandom } from '../data/random.js';
import { type ClassifierConfig, defaultClassifierConfig, ImageClassifier } from './model.js';

export interface ClassifierTrainOptions {
  /** Labelled image data (NHWC, [−1, 1]). */
  train: Dataset;
  /** Held-out labelled images for the final accuracy. */
  test: Dataset;
  config?: ClassifierConfig;
  steps: number;
  batchSize: number;
  /** Adam learning rate for the first 3/4 of the steps; a fresh Adam at lr/10 takes the last quarter. */
  lr: number;
  /** Seeds the initial weights and the epoch shuffles. */
  seed: number;
  logEvery?: number;
  log?: (line: string) => void;
}

export interface ClassifierTrainResult {
  model: ImageClassifier;
  testAccuracy: number;
  /** Mean cross-entropy of the last `logEvery` steps. */
  finalLoss: number;
  wallMs: number;
}

function checkLabelled(dataset: Dataset, what: string): void {
  if (dataset.kind !== 'image' || dataset.numClasses === 0) {
    throw new Error(`${what} data '${dataset.spec}' must be labelled images (got ${dataset.kind}, ${dataset.numClasses} classes)`);
  }
}

/** Trains the classifier with softmax cross-entropy and Adam on shuffled minibatches (one permutation per epoch). */
export async function trainClassifier(opts: ClassifierTrainOptions): Promise<ClassifierTrainResult> {
  const { train, test, steps, batchSize } = opts;
  checkLabelled(train, 'training');
  checkLabelled(test, 'test');
  const [h, w, c] = train.itemShape as [number, number, number];
  if (h !== w) throw new Error(`classifier: images must be square, got ${h}×${w}`);
  const config = opts.config ?? defaultClassifierConfig(h, c, train.numClasses);
  const model = new ImageClassifier(config, opts.seed);
  const decayStep = Math.floor(0.75 * steps);
  let optimizer = tf.train.adam(opts.lr);
  const rng = new SeededRandom(opts.seed);
  const x = new Float32Array(batchSize * itemSize(train));
  const labels = new Int32Array(batchSize);
  const logEvery = opts.logEvery ?? 100;
  const start = performance.now();
  let order = rng.permutation(train.count);
  let cursor = 0;
  let lossSum = 0;
  let finalLoss = Number.NaN;
  for (let step = 0; step < steps; step++) {
    if (cursor + batchSize > train.count) {
      order = rng.permutation(train.count);
      cursor = 0;
    }
    if (step === decayStep) {
      optimizer.dispose();
      optimizer = tf.train.adam(opts.lr / 10);
    }
    train.fillBatch(order.subarray(cursor, cursor + batchSize), x, labels);
    cursor += batchSize;
    const loss = tf.tidy(() => {
      const xs = tf.tensor4d(x, [batchSize, h, w, c]);
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), config.numClasses);
      return optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs).logits) as tf.Scalar,
        true,
        model.params,
      ) as tf.Scalar;
    });
    lossSum += loss.dataSync()[0]!;
    loss.dispose();
    if ((step + 1) % logEvery === 0 || step + 1 === steps) {
      finalLoss = lossSum / ((step % logEvery) + 1);
      lossSum = 0;
      const rate = ((step + 1) * 1000) / (performance.now() - start);
      opts.log?.(`step ${step + 1}/${steps} loss ${finalLoss.toFixed(4)} ${rate.toFixed(1)} it/s`);
    }
  }
  optimizer.dispose();
  const testAccuracy = classifierAccuracy(model, test);
  return { model, testAccuracy, finalLoss, wallMs: performance.now() - start };
}

/** Fraction of `dataset`'s images whose arg-max logit is their label. */
export function classifierAccuracy(model: ImageClassifier, dataset: Dataset, batchSize = 500): number {
  checkLabelled(dataset, 'evaluation');
  const shape = dataset.itemShape as [number, number, number];
  const x = new Float32Array(batchSize * itemSize(dataset));
  const labels = new Int32Array(batchSize);
  let correct = 0;
  for (let start = 0; start < dataset.count; start += batchSize) {
    const n = Math.min(batchSize, dataset.count - start);
    const indices = Uint32Array.from({ length: n }, (_, i) => start + i);
    dataset.fillBatch(indices, x, labels);
    const predicted = tf.tidy(() => {
      const xs = tf.tensor4d(x.subarray(0, n * itemSize(dataset)), [n, ...shape]);
      return tf.argMax(model.apply(xs).logits, 1);
    });
    const p = predicted.dataSync();
    predicted.dispose();
    for (let i = 0; i < n; i++) if (p[i] === labels[i]) correct++;
  }
  return correct / dataset.count;
}
