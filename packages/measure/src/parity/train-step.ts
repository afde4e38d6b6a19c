import type { Dataset, TrainConfig } from '@onnx-ddpm/trainer';

type Trainer = typeof import('@onnx-ddpm/trainer/node');

/** The models whose training step is compared: the default U-Net (Fashion-MNIST's) and the default MLP (2-D toys). */
export const TRAIN_PARITY_MODELS = ['unet', 'mlp'] as const;
export type TrainParityModel = (typeof TRAIN_PARITY_MODELS)[number];

/** One training step's outputs on one backend. */
export interface TrainStepOutput {
  loss: number;
  /** Per parameter, in the model's order. */
  grads: Float32Array[];
  /** Per parameter: the weights after the step (clip, Adam with the warmed-up learning rate). */
  after: Float32Array[];
  /** Per parameter: `after` minus the weights before. */
  updates: Float32Array[];
  paramNames: string[];
  ms: number;
}

/** A Fashion-MNIST-shaped labelled dataset of hashed pixels (no files: the same on every machine). */
function syntheticImages(trainer: Trainer, count: number): Dataset {
  const [h, w, c, classes] = [28, 28, 1, 10];
  const pixels = Uint8Array.from({ length: count * h * w * c }, (_, i) => trainer.hashWords(7, i) & 0xff);
  const labels = Int32Array.from({ length: count }, (_, i) => i % classes);
  const names = Array.from({ length: classes }, (_, i) => `class ${i}`);
  return new trainer.Uint8ImageDataset('parity:images', 'hashed pixels', pixels, [h, w, c], labels, names);
}

/** The dataset and resolved config (defaults, `batch` items) of one compared model. */
export function trainParitySetup(trainer: Trainer, model: TrainParityModel, batch: number): { dataset: Dataset; config: TrainConfig } {
  const dataset =
    model === 'unet' ? syntheticImages(trainer, 64) : trainer.makeToyDataset('toy:s_curve', 's_curve', 0, 1000);
  const config = trainer.resolveTrainConfig(dataset, { spec: dataset.spec }, { train: { batchSize: batch, seed: 0 } });
  return { dataset, config };
}

/**
 * Step 0 of training (the loop's own batch, gradients, clip, Adam and EMA code) on the active TF.js backend,
 * from seed-0 initial weights.
 */
export async function runTrainStep(trainer: Trainer, model: TrainParityModel, batch: number): Promise<TrainStepOutput> {
  const { dataset, config } = trainParitySetup(trainer, model, batch);
  const s = config.train;
  const sampler = trainer.BatchSampler.forConfig(dataset, config);
  const replica = trainer.TrainReplica.create({ modelConfig: config.model, train: trainer.hyperOf(config), seed: s.seed });
  try {
    const before = replica.getState().weights;
    const t0 = performance.now();
    const { loss, grads } = await replica.computeGradients(sampler.batch(0));
    const ms = performance.now() - t0;
    replica.applyGradients(grads, 0);
    const after = replica.getState().weights;
    const updates = after.map((w, i) => w.map((v, k) => v - before[i]![k]!));
    return { loss, grads, after, updates, paramNames: replica.model.paramNames.slice(), ms };
  } finally {
    replica.dispose();
  }
}
