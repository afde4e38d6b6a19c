import type { Dataset, OneStepResult, ReplicaInit, TrainBatch, TrainConfig } from '@onnx-ddpm/trainer';

type Trainer = typeof import('@onnx-ddpm/trainer/node');

/**
 * The models whose training step is compared: the default U-Net (Fashion-MNIST's), the default MLP (2-D
 * toys), and a small U-Net (8×8, base 8, two levels, attention at 4×4) quick enough for Chromium's SwiftShader in tests.
 */
export const TRAIN_PARITY_MODELS = ['unet', 'mlp', 'unet-small'] as const;
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

/** A labelled dataset of hashed `size`×`size` pixels, Fashion-MNIST-shaped at 28 (no files: the same on every machine). */
function syntheticImages(trainer: Trainer, count: number, size: number): Dataset {
  const [h, w, c, classes] = [size, size, 1, 10];
  const pixels = Uint8Array.from({ length: count * h * w * c }, (_, i) => trainer.hashWords(7, i) & 0xff);
  const labels = Int32Array.from({ length: count }, (_, i) => i % classes);
  const names = Array.from({ length: classes }, (_, i) => `class ${i}`);
  return new trainer.Uint8ImageDataset('parity:images', 'hashed pixels', pixels, [h, w, c], labels, names);
}

/** The dataset and resolved config (defaults, `batch` items) of one compared model. */
export function trainParitySetup(trainer: Trainer, model: TrainParityModel, batch: number): { dataset: Dataset; config: TrainConfig } {
  const dataset =
    model === 'mlp' ? trainer.makeToyDataset('toy:s_curve', 's_curve', 0, 1000) : syntheticImages(trainer, 64, model === 'unet' ? 28 : 8);
  const small = { baseChannels: 8, channelMultipliers: [1, 2], numResBlocks: 1, attentionResolutions: [4], groups: 4 };
  const config = trainer.resolveTrainConfig(dataset, { spec: dataset.spec }, { train: { batchSize: batch, seed: 0 }, ...(model === 'unet-small' ? { model: small } : {}) });
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
