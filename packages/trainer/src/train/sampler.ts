import { gaussians } from '@onnx-ddpm/schedule';
import type { Dataset } from '../data/dataset.js';
import { hashWords, SeededRandom, uniformAt } from '../data/random.js';
import type { TrainBatch } from './batch-types.js';
import type { TrainConfig } from './config.js';

/** How batches are drawn; together with the step number this determines every batch exactly. */
export interface BatchPlan {
  batchSize: number;
  seed: number;
  /** Number of diffusion timesteps T; t is uniform over [0, T). */
  numTimesteps: number;
  /** Pair each t with T − 1 − t inside the batch (antithetic sampling, lower-variance loss). */
  antithetic: boolean;
  /** Give the model labels (class-conditional training). */
  classConditional: boolean;
  /** Probability that a label is replaced by "no label" (= numClasses), for classifier-free guidance. */
  labelDropout: number;
}

// Purposes of the counter-based random streams, so no two draw the same numbers.
const PERMUTATION = 1;
const TIMESTEP = 2;
const LABEL_DROP = 3;
const NOISE = 4;
const DROPOUT = 5;

/**
 * Draws batch `step` from a dataset: items walk through a fresh seeded permutation each epoch, t is
 * uniform (optionally antithetic), ε comes from the schedule package's counter-based Gaussians,
 * label dropout is applied here. Everything is a function of (seed, step).
 */
export class BatchSampler {
  private readonly permutations = new Map<number, Uint32Array>();
  private readonly itemLength: number;

  /** The batches a training run with `config` draws from `dataset`. */
  static forConfig(dataset: Dataset, config: TrainConfig): BatchSampler {
    const s = config.train;
    return new BatchSampler(dataset, {
      batchSize: s.batchSize,
      seed: s.seed,
      numTimesteps: config.scheduler.num_train_timesteps,
      antithetic: s.antithetic,
      classConditional: s.classConditional,
      labelDropout: s.labelDropout,
    });
  }

  constructor(
    private readonly dataset: Dataset,
    private readonly plan: BatchPlan,
  ) {
    this.itemLength = dataset.itemShape.reduce((a, b) => a * b, 1);
    if (plan.classConditional && dataset.numClasses === 0) {
      throw new Error(`class-conditional training needs a labelled dataset; ${dataset.spec} has no labels`);
    }
  }

  private permutation(epoch: number): Uint32Array {
    let p = this.permutations.get(epoch);
    if (!p) {
      p = new SeededRandom(hashWords(this.plan.seed, PERMUTATION, epoch)).permutation(this.dataset.count);
      this.permutations.set(epoch, p);
      for (const old of this.permutations.keys()) if (old < epoch - 1) this.permutations.delete(old);
    }
    return p;
  }

  /** The dataset indices of batch `step`. */
  indices(step: number): Uint32Array {
    const { batchSize } = this.plan;
    const count = this.dataset.count;
    const out = new Uint32Array(batchSize);
    for (let i = 0; i < batchSize; i++) {
      const position = step * batchSize + i;
      out[i] = this.permutation(Math.floor(position / count))[position % count]!;
    }
    return out;
  }

  /** Batch number `step` (0-based). */
  batch(step: number): TrainBatch {
    const { batchSize: n, seed, numTimesteps: T } = this.plan;
    const d = this.itemLength;
    const x0 = new Float32Array(n * d);
    const labels = this.plan.classConditional ? new Int32Array(n) : null;
    this.dataset.fillBatch(this.indices(step), x0, labels);
    if (labels) {
      for (let i = 0; i < n; i++) {
        if (uniformAt(hashWords(seed, LABEL_DROP), step, i) < this.plan.labelDropout) labels[i] = this.dataset.numClasses;
      }
    }
    const t = new Int32Array(n);
    const tSeed = hashWords(seed, TIMESTEP);
    for (let i = 0; i < n; i++) {
      t[i] =
        this.plan.antithetic && i % 2 === 1
          ? T - 1 - t[i - 1]!
          : Math.min(T - 1, Math.floor(uniformAt(tSeed, step, i) * T));
    }
    const eps = new Float32Array(n * d);
    gaussians(hashWords(seed, NOISE), step, 0, eps);
    return {
      x0,
      eps,
      t,
      labels,
      shape: [n, ...this.dataset.itemShape],
      dropoutSeed: hashWords(seed, DROPOUT, step) & 0x7fffffff,
    };
  }
}
