import { type Dataset, itemSize, loadDataset, SeededRandom } from '@onnx-ddpm/trainer/node';
import type { FeatureMatrix } from './feature-matrix.js';
import { frechetDistance, type GaussianStats, gaussianStats } from './fid.js';
import { type KidOptions, type KidResult, kernelInceptionDistance } from './kid.js';
import type { OrtImageClassifier } from './ort-classifier.js';

/** Held-out real images through the classifier: their features, Gaussian fit and the classifier's accuracy on them. */
export interface ImageReference {
  count: number;
  features: FeatureMatrix;
  stats: GaussianStats;
  /** Null when the data has no labels. */
  accuracy: number | null;
  /** The same per label (`classAccuracy`): how often the classifier recognises each class in real images. */
  classAccuracy: (number | null)[] | null;
}

/** Loads image data the classifier can take, or says why not. */
async function loadImages(spec: string, classifier: OrtImageClassifier): Promise<Dataset> {
  const data = await loadDataset(spec);
  const [c, h, w] = classifier.imageShape as [number, number, number];
  if (data.kind !== 'image' || data.itemShape.join(',') !== [h, w, c].join(',')) {
    throw new Error(`holds items of [${data.itemShape.join(', ')}] (HWC); the classifier takes ${h}×${w}×${c} images`);
  }
  return data;
}

/** The images at `indices` as NCHW, with their labels (null when unlabelled). */
function readImages(data: Dataset, indices: Uint32Array): { images: Float32Array; labels: Int32Array | null } {
  const [h, w, c] = data.itemShape as [number, number, number];
  const nhwc = new Float32Array(indices.length * itemSize(data));
  const labels = data.numClasses > 0 ? new Int32Array(indices.length) : null;
  data.fillBatch(indices, nhwc, labels);
  return { images: toNchw(nhwc, indices.length, h, w, c), labels };
}

/** Loads every image of `spec` (e.g. fashion-mnist:test) and runs the classifier on it. */
export async function loadImageReference(spec: string, classifier: OrtImageClassifier): Promise<ImageReference> {
  const data = await loadImages(spec, classifier);
  const { images, labels } = readImages(data, Uint32Array.from({ length: data.count }, (_, i) => i));
  const { features, predictions } = await classifier.classify(images, data.count);
  return {
    count: data.count,
    features,
    stats: gaussianStats(features),
    ...labelAccuracy(predictions, labels, classifier.meta.num_classes),
  };
}

/**
 * The scores real images get: `n` random images of `spec` (the training split, so none is in the
 * reference) measured like samples, with their own labels. FID at a given n is biased upwards; this is its floor.
 */
export async function dataFloor(
  spec: string,
  n: number,
  classifier: OrtImageClassifier,
  ref: ImageReference,
  kid: KidOptions,
): Promise<ImageQuality> {
  const data = await loadImages(spec, classifier);
  if (data.count < n) throw new Error(`has ${data.count} images, fewer than --n ${n}`);
  const { images, labels } = readImages(data, new SeededRandom(kid.seed ?? 0).permutation(data.count).subarray(0, n));
  return imageQuality(classifier, ref, images, n, labels, kid);
}

/** NHWC → NCHW (a no-op copy-free view for one channel). */
function toNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  if (c === 1) return x;
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[(i * c + k) * h * w + p] = x[(i * h * w + p) * c + k]!;
  }
  return out;
}

/** Overall and per-label accuracy of the predictions (both null without labels). */
function labelAccuracy(predictions: Int32Array, labels: Int32Array | null, classifierClasses: number) {
  return labels
    ? { accuracy: accuracy(predictions, labels), classAccuracy: classAccuracy(predictions, labels, classifierClasses) }
    : { accuracy: null, classAccuracy: null };
}

function accuracy(predictions: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}

/**
 * Per label 0 … k−1 (k: the classifier's classes, or more if a label is larger): the fraction of the items drawn
 * for it that the classifier assigns to it (null: no item has it).
 */
export function classAccuracy(predictions: Int32Array, labels: Int32Array, classifierClasses: number): (number | null)[] {
  const k = labels.reduce((most, label) => Math.max(most, label + 1), classifierClasses);
  const correct = new Array<number>(k).fill(0);
  const total = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    total[label]!++;
    if (predictions[i] === label) correct[label]!++;
  }
  return total.map((t, label) => (t === 0 ? null : correct[label]! / t));
}

export interface ImageQuality {
  /** Fréchet distance of the classifier features, samples vs reference. */
  fid: number;
  kid: KidResult;
  /** Fraction of samples the classifier assigns to the class they were drawn for (class-conditional models). */
  accuracy: number | null;
  /** The same per class label (null for a label no sample was drawn for); absent in reports from before 2026-12-02. */
  classAccuracy?: (number | null)[] | null;
}

/** FID, KID and class accuracy of `n` NCHW samples (drawn for `labels`) against the reference. */
export async function imageQuality(
  classifier: OrtImageClassifier,
  ref: ImageReference,
  samples: Float32Array,
  n: number,
  labels: Int32Array | null,
  kid: KidOptions,
): Promise<ImageQuality> {
  const { features, predictions } = await classifier.classify(samples, n);
  return {
    fid: frechetDistance(gaussianStats(features), ref.stats),
    kid: kernelInceptionDistance(features, ref.features, kid),
    ...labelAccuracy(predictions, labels, classifier.meta.num_classes),
  };
}
