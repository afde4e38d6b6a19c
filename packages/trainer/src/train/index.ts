export type { TrainBatch } from './batch-types.js';
export {
  type ConfigOverrides,
  type DataConfig,
  defaultModelConfig,
  defaultTrainSettings,
  hyperOf,
  resolveTrainConfig,
  type TrainConfig,
  TrainConfigError,
  type TrainSettings,
  validateTrainSettings,
} from './config.js';
export { createLocalEngine, type TrainEngine } from './engine.js';
export { emaDecayAt, learningRateAt, type TrainHyper } from './hyper.js';
export { type PreviewOptions, sampleDdim, sampleShape } from './preview.js';
export { ProgressBar, type ProgressStream } from './progress.js';
export { type ReplicaInit, TrainReplica } from './replica.js';
export { type BatchPlan, BatchSampler } from './sampler.js';
export { cloneState, type ReplicaState } from './state.js';
export { type OneStepResult, oneTrainingStep } from './one-step.js';
export { runTrainingSteps, type TrainingStepsOptions, type TrainLogRecord } from './steps.js';
export { exportTrainedRun, type TrainedRun, trainingMetadata } from './trained-run.js';
