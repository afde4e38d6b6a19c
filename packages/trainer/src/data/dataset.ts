/** A training set held in memory. Images are NHWC with values scaled to [−1, 1]; toys are 2-D points. */
export interface Dataset {
  /** The spec it was loaded from, e.g. `fashion-mnist` or `toy:moons`. */
  readonly spec: string;
  readonly kind: 'image' | 'points';
  readonly count: number;
  /** Shape of one item: [H, W, C] for images, [D] for points. */
  readonly itemShape: number[];
  /** 0 when unlabelled. */
  readonly numClasses: number;
  readonly classNames: string[];
  /** Where the data came from (paths), for logs and model cards. */
  readonly source: string;
  /** Copies the items at `indices` into `x0` (item i at [i·D, (i+1)·D)) and their labels into `labels`. */
  fillBatch(indices: ArrayLike<number>, x0: Float32Array, labels: Int32Array | null): void;
}

/** Bad or missing data: the message names the file or folder and what is wrong. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Options shared by the loaders. */
export interface LoadOptions {
  /** Skip unreadable files with one warning instead of failing (folder datasets). */
  skipBad?: boolean;
  /** Where warnings go (default: stderr). */
  warn?: (line: string) => void;
  /** Folder images: 1 = grayscale, 3 = RGB (default 3). */
  channels?: 1 | 3;
  /** Folder images are resized (cover + centre crop) to this square size (default 32). */
  imageSize?: number;
  /** Seed for generated toys (default 0). */
  seed?: number;
  /** IDX labels: the number of classes (every label must be below it); default: the largest label + 1, with a notice. */
  numClasses?: number;
  /** Number of generated toy points (default 10000). */
  toyCount?: number;
}

/** The number of floats in one item. */
export function itemSize(dataset: Pick<Dataset, 'itemShape'>): number {
  return dataset.itemShape.reduce((a, b) => a * b, 1);
}

/** A dataset of uint8 images (HWC, row-major) with optional int labels, scaled to [−1, 1] on the fly. */
export class Uint8ImageDataset implements Dataset {
  readonly kind = 'image' as const;
  readonly count: number;
  private readonly size: number;

  constructor(
    readonly spec: string,
    readonly source: string,
    private readonly pixels: Uint8Array,
    readonly itemShape: number[],
    private readonly labels: Int32Array | null,
    readonly classNames: string[],
  ) {
    this.size = itemSize(this);
    this.count = pixels.length / this.size;
    if (labels && labels.length !== this.count) {
      throw new DatasetError(`${source}: ${labels.length} labels for ${this.count} images`);
    }
  }

  get numClasses(): number {
    return this.labels ? this.classNames.length : 0;
  }

  fillBatch(indices: ArrayLike<number>, x0: Float32Array, labels: Int32Array | null): void {
    const d = this.size;
    for (let i = 0; i < indices.length; i++) {
      const src = indices[i]! * d;
      const dst = i * d;
      for (let k = 0; k < d; k++) x0[dst + k] = this.pixels[src + k]! / 127.5 - 1;
      if (labels) labels[i] = this.labels ? this.labels[indices[i]!]! : 0;
    }
  }
}
