import { makeToyDataset, parseDatasetSpec } from '@onnx-ddpm/trainer/node';
import type { FeatureMatrix } from './feature-matrix.js';
import { type SlicedWassersteinOptions, slicedWasserstein } from './sliced-wasserstein.js';

/** Two independent halves of fresh toy data and the distance between them (the floor a perfect model would reach). */
export interface ToyReference {
  first: FeatureMatrix;
  second: FeatureMatrix;
  dataVsData: number;
}

/** Draws 2n points of toy `spec` (e.g. toy:s_curve) with `dataSeed`, split into two halves of n. */
export async function loadToyReference(
  spec: string,
  n: number,
  dataSeed: number,
  sampleShape: readonly number[],
  swd: SlicedWassersteinOptions,
): Promise<ToyReference> {
  const parsed = parseDatasetSpec(spec);
  if (parsed.kind !== 'toy') throw new Error(`a model of ${sampleShape.length === 1 ? `${sampleShape[0]}-D points` : `items [${sampleShape.join(', ')}]`} is compared with toy data (toy:<name>), not '${spec}'`);
  if (sampleShape.join(',') !== '2') throw new Error(`toy data is 2-D; the model makes items of [${sampleShape.join(', ')}]`);
  const data = makeToyDataset(spec, parsed.name, dataSeed, 2 * n);
  const points = new Float32Array(2 * n * 2);
  data.fillBatch(Uint32Array.from({ length: 2 * n }, (_, i) => i), points, null);
  const first = { data: points.subarray(0, 2 * n), rows: n, cols: 2 };
  const second = { data: points.subarray(2 * n), rows: n, cols: 2 };
  return { first, second, dataVsData: slicedWasserstein(first, second, swd) };
}

export interface PointQuality {
  /** Sliced Wasserstein-2 distance, samples vs the first half of the data. */
  swd: number;
}

export function pointQuality(ref: ToyReference, samples: Float32Array, n: number, swd: SlicedWassersteinOptions): PointQuality {
  return { swd: slicedWasserstein({ data: samples, rows: n, cols: 2 }, ref.first, swd) };
}
