import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from '@onnx-ddpm/schedule';
import type { EpsNet, UNetConfig } from '@onnx-ddpm/trainer/node';
import { TfjsEpsModel } from './tfjs.js';

/** `--model` and `--checkpoint` describe different models (a usage error). */
export class ModelMismatchError extends Error {
  override name = 'ModelMismatchError';
}

/** The model every runtime runs, and the TF.js weights it came from when they are known. */
export interface ModelUnderTest {
  bytes: Uint8Array;
  /** One line: what the model is and where it came from. */
  description: string;
  config: SchedulerConfig;
  sampleShape: number[];
  numClasses: number;
  tf: { net: EpsNet; backend: string } | null;
  warnings: string[];
}

/**
 * The default: a tiny class-conditional ε-U-Net (8×8×1, base 8, levels [1, 2], attention at 4×4,
 * 2 classes) with the trainer's seed-0 initial weights, exported on the fly. Small enough for
 * SwiftShader WebGPU, and it has every op of the real U-Net (Conv, GroupNorm, attention, time and
 * class embeddings, up/down sampling).
 */
export const BUILT_IN_UNET: UNetConfig = {
  kind: 'unet',
  imageSize: 8,
  channels: 1,
  baseChannels: 8,
  channelMultipliers: [1, 2],
  numResBlocks: 1,
  attentionResolutions: [4],
  groups: 4,
  dropout: 0,
  numClasses: 2,
};

type Trainer = typeof import('@onnx-ddpm/trainer/node');

async function activeBackend(trainer: Trainer): Promise<string> {
  const choice = await trainer.selectBackend('auto');
  return `${choice.name} (${choice.device})`;
}

export function builtInModel(): Promise<ModelUnderTest> {
  return initialWeightsModel(BUILT_IN_UNET, 'built-in tiny U-Net', 'onnx-ddpm parity');
}

/** A U-Net with the trainer's seed-0 initial weights, exported on the fly; `name` heads its description. */
export async function initialWeightsModel(unet: UNetConfig, name: string, by: string): Promise<ModelUnderTest> {
  const trainer = await import('@onnx-ddpm/trainer/node');
  const backend = await activeBackend(trainer);
  const net = trainer.createModel(unet, 0);
  const config = DEFAULT_SCHEDULER_CONFIG;
  const bytes = trainer.exportOnnx({ model: net, schedulerConfig: config, training: { dataset: `none: initial weights of seed 0 (${by})` } });
  const info = new TfjsEpsModel(net).info;
  const { imageSize: s, channels: c, numClasses: k } = unet;
  return {
    bytes,
    description: `${name} (${s}×${s}×${c}, ${k} classes, ${net.parameterCount()} parameters, seed-0 initial weights, exported on the fly)`,
    config,
    sampleShape: [...info.sampleShape],
    numClasses: info.numClasses,
    tf: { net, backend },
    warnings: [],
  };
}

/** An .onnx file (or diffusers-style folder): its scheduler config, item shape and classes. */
export async function modelFromFile(path: string): Promise<ModelUnderTest> {
  const sampler = await import('@onnx-ddpm/sampler/node');
  const source = await sampler.loadModelSource(path);
  const probe = await sampler.OrtDenoiser.create(source.bytes, {
    executionProviders: ['cpu'],
    numClasses: source.numClasses,
    sampleShape: source.sampleShape,
    name: path,
  });
  const { sampleShape, numClasses } = probe.info;
  await probe.dispose();
  return {
    bytes: source.bytes,
    description: `${source.modelPath} (items [${sampleShape.join(', ')}], ${numClasses} classes)`,
    config: source.config,
    sampleShape: [...sampleShape],
    numClasses,
    tf: null,
    warnings: source.warnings,
  };
}

/**
 * A trainer run's checkpoint (EMA weights, as `export` writes them): its TF.js forward, and either
 * `modelPath` or the checkpoint exported on the fly as the ONNX model.
 */
export async function modelFromCheckpoint(dir: string, modelPath: string | undefined): Promise<ModelUnderTest> {
  const trainer = await import('@onnx-ddpm/trainer/node');
  const ckpt = await trainer.loadCheckpoint(dir);
  const backend = await activeBackend(trainer);
  const net = trainer.createModel(ckpt.config.model, ckpt.config.train.seed);
  net.setWeights(ckpt.state.ema);
  const info = new TfjsEpsModel(net).info;
  const tf = { net, backend };
  if (modelPath !== undefined) {
    const file = await modelFromFile(modelPath);
    if (file.sampleShape.join() !== info.sampleShape.join() || file.numClasses !== info.numClasses) {
      net.dispose();
      throw new ModelMismatchError(
        `--model ${modelPath} takes items [${file.sampleShape.join(', ')}] with ${file.numClasses} classes but the checkpoint's model takes [${info.sampleShape.join(', ')}] with ${info.numClasses}`,
      );
    }
    return { ...file, tf };
  }
  const bytes = trainer.exportOnnx({ model: net, schedulerConfig: ckpt.config.scheduler, training: trainer.trainingMetadata(ckpt, true) });
  return {
    bytes,
    description: `checkpoint ${ckpt.dir ?? dir} (step ${ckpt.step} of ${ckpt.config.data.spec}, EMA weights, exported on the fly)`,
    config: ckpt.config.scheduler,
    sampleShape: [...info.sampleShape],
    numClasses: info.numClasses,
    tf,
    warnings: [],
  };
}
