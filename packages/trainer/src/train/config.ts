import { DEFAULT_SCHEDULER_CONFIG, parseSchedulerConfig, type SchedulerConfig } from '@onnx-ddpm/schedule';
import type { Dataset } from '../data/dataset.js';
import { defaultMlpConfig, defaultUNetConfig, type ModelConfig, validateModelConfig } from '../model/index.js';
import type { TrainHyper } from './hyper.js';

/** How the dataset was asked for (enough to load it again on resume). */
export interface DataConfig {
  spec: string;
  channels?: 1 | 3;
  imageSize?: number;
  skipBad?: boolean;
  /** IDX labels: the number of classes (default: the largest label + 1). */
  numClasses?: number;
  toyCount?: number;
}

/** Training-loop and optimiser settings (the optimiser's as in each replica's TrainHyper). */
export interface TrainSettings extends Omit<TrainHyper, 'scheduler'> {
  batchSize: number;
  /** Total number of optimiser steps of the run. */
  steps: number;
  /** Seeds the initial weights, toy data, and every batch (with the step number). */
  seed: number;
  antithetic: boolean;
  classConditional: boolean;
  labelDropout: number;
  checkpointEvery: number;
  logEvery: number;
  /** 0 disables previews. */
  previewEvery: number;
  previewCount: number;
  /** DDIM steps of a preview. */
  previewSteps: number;
}

/** The full configuration of a run, stored in every checkpoint. */
export interface TrainConfig {
  data: DataConfig;
  model: ModelConfig;
  scheduler: SchedulerConfig;
  train: TrainSettings;
}

/** A `--config` file: any subset, merged over the defaults for the data kind. */
export interface ConfigOverrides {
  model?: Record<string, unknown>;
  scheduler?: Record<string, unknown>;
  train?: Partial<TrainSettings>;
}

/** A configuration value that cannot be used; the message names the field. */
export class TrainConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainConfigError';
  }
}

/** Defaults for 2-D toys (small MLP, big batches, quick) and for images (U-Net, batch 64, EMA 0.9999); the warm-up follows the run's length. */
export function defaultTrainSettings(kind: Dataset['kind'], labelled: boolean): Omit<TrainSettings, 'warmupSteps'> {
  const common = {
    seed: 0,
    gradClip: 1,
    adamBeta1: 0.9,
    adamBeta2: 0.999,
    adamEps: 1e-8,
    antithetic: true,
    classConditional: labelled,
    labelDropout: labelled ? 0.1 : 0,
  };
  if (kind === 'points') {
    return {
      ...common,
      batchSize: 256,
      steps: 2000,
      lr: 2e-3,
      emaDecay: 0.995,
      checkpointEvery: 500,
      logEvery: 100,
      previewEvery: 1000,
      previewCount: 1000,
      previewSteps: 50,
    };
  }
  return {
    ...common,
    batchSize: 64,
    steps: 20000,
    lr: 2e-4,
    emaDecay: 0.9999,
    checkpointEvery: 1000,
    logEvery: 50,
    previewEvery: 1000,
    previewCount: 16,
    previewSteps: 25,
  };
}

const INTEGER_FIELDS = ['batchSize', 'steps', 'seed', 'warmupSteps', 'checkpointEvery', 'logEvery', 'previewEvery', 'previewCount', 'previewSteps'] as const;
const POSITIVE_FIELDS = ['batchSize', 'steps', 'checkpointEvery', 'logEvery', 'previewCount', 'previewSteps', 'lr', 'adamEps'] as const;

/** Checks every field of the training settings; throws TrainConfigError naming the first bad one. */
export function validateTrainSettings(s: TrainSettings): TrainSettings {
  const defaults: TrainSettings = { ...defaultTrainSettings('points', false), warmupSteps: 0 };
  for (const key of Object.keys(s)) {
    if (!(key in defaults)) throw new TrainConfigError(`train config: unknown field '${key}'`);
  }
  for (const [key, value] of Object.entries(s)) {
    const expected = typeof defaults[key as keyof TrainSettings];
    if (typeof value !== expected || (expected === 'number' && !Number.isFinite(value))) {
      throw new TrainConfigError(`train config: ${key} must be a ${expected}, got ${JSON.stringify(value)}`);
    }
  }
  for (const key of INTEGER_FIELDS) {
    if (!Number.isInteger(s[key]) || s[key] < 0) {
      throw new TrainConfigError(`train config: ${key} must be a non-negative integer, got ${s[key]}`);
    }
  }
  for (const key of POSITIVE_FIELDS) {
    if (!(s[key] > 0)) throw new TrainConfigError(`train config: ${key} must be positive, got ${s[key]}`);
  }
  for (const key of ['emaDecay', 'adamBeta1', 'adamBeta2', 'labelDropout'] as const) {
    if (!(s[key] >= 0 && s[key] < 1)) throw new TrainConfigError(`train config: ${key} must be in [0, 1), got ${s[key]}`);
  }
  if (s.seed > 0xffffffff) throw new TrainConfigError(`train config: seed must be below 2^32, got ${s.seed}`);
  return s;
}

/** The model for a dataset: an MLP for points, the default U-Net for square images; `numClasses` set from the data. */
export function defaultModelConfig(dataset: Dataset, classConditional: boolean): ModelConfig {
  const numClasses = classConditional ? dataset.numClasses : 0;
  if (dataset.kind === 'points') return { ...defaultMlpConfig(numClasses), dataDim: dataset.itemShape[0]! };
  const [h, w, c] = dataset.itemShape as [number, number, number];
  if (h !== w) throw new TrainConfigError(`${dataset.spec}: images are ${h}×${w}; the U-Net needs square images`);
  return defaultUNetConfig(h, c, numClasses);
}

/** Builds the full configuration of a new run: per-kind defaults, then the overrides (a config file, then flags). */
export function resolveTrainConfig(dataset: Dataset, data: DataConfig, overrides: ConfigOverrides = {}): TrainConfig {
  for (const key of Object.keys(overrides)) {
    if (!['model', 'scheduler', 'train'].includes(key)) {
      throw new TrainConfigError(`config: unknown section '${key}' (expected model, scheduler, train)`);
    }
  }
  const labelled = dataset.numClasses > 0;
  const settings = { ...defaultTrainSettings(dataset.kind, labelled), ...overrides.train };
  // Unless set, the learning-rate warm-up spans the first 5% of the run (so a short run still reaches the peak rate).
  const train = validateTrainSettings({ warmupSteps: Math.max(1, Math.round(Number(settings.steps) / 20)), ...settings });
  if (train.classConditional && !labelled) {
    throw new TrainConfigError(`class-conditional training needs labels, and ${dataset.spec} has none`);
  }
  if (!train.classConditional) train.labelDropout = 0;
  const model = validateModelConfig({ ...defaultModelConfig(dataset, train.classConditional), ...overrides.model });
  const expectedClasses = train.classConditional ? dataset.numClasses : 0;
  if (model.numClasses !== expectedClasses) {
    throw new TrainConfigError(
      `model config: numClasses is ${model.numClasses} but the run is ${train.classConditional ? `conditional on ${expectedClasses} classes` : 'unconditional'}`,
    );
  }
  // 2-D points have unit variance, so clipping x̂_0 to [−1, 1] would cut the data off.
  const schedulerDefaults = dataset.kind === 'points' ? { ...DEFAULT_SCHEDULER_CONFIG, clip_sample: false } : DEFAULT_SCHEDULER_CONFIG;
  const scheduler = parseSchedulerConfig({ ...schedulerDefaults, ...overrides.scheduler });
  return { data, model, scheduler, train };
}

/** The replica's hyper-parameters from a run configuration. */
export function hyperOf(config: TrainConfig): TrainHyper {
  const t = config.train;
  return {
    scheduler: config.scheduler,
    lr: t.lr,
    warmupSteps: t.warmupSteps,
    gradClip: t.gradClip,
    emaDecay: t.emaDecay,
    adamBeta1: t.adamBeta1,
    adamBeta2: t.adamBeta2,
    adamEps: t.adamEps,
  };
}
