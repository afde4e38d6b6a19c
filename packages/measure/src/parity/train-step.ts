import type { Dataset, OneStepResult, ReplicaInit, TrainBatch, TrainConfig } from '@onnx-ddpm/trainer';

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
  const { init, batch: step0 } = trainParityStep(trainer, model, batch);
  return stepOutput(await trainer.oneTrainingStep(init, step0));
}

/** The replica and the step-0 batch one compared training step starts from (plain data: it can be sent to a page). */
export function trainParityStep(trainer: Trainer, model: TrainParityModel, batch: number): { init: ReplicaInit; batch: TrainBatch } {
  const { dataset, config } = trainParitySetup(trainer, model, batch);
  const init = { modelConfig: config.model, train: trainer.hyperOf(config), seed: config.train.seed };
  return { init, batch: trainer.BatchSampler.forConfig(dataset, config).batch(0) };
}

/** The compared quantities of one step: its weight changes beside the weights after it. */
export function stepOutput(r: OneStepResult): TrainStepOutput {
  const updates = r.after.map((w, i) => w.map((v, k) => v - r.before[i]![k]!));
  return { loss: r.loss, grads: r.grads, after: r.after, updates, paramNames: r.paramNames, ms: r.ms };
}
