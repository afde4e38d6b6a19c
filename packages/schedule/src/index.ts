/** @onnx-ddpm/schedule — zero-dependency DDPM math shared by the trainer and every sampler. */

export { computeBetas, linspace } from './beta-schedules.js';
export {
  BETA_SCHEDULES,
  type BetaSchedule,
  DEFAULT_SCHEDULER_CONFIG,
  PREDICTION_TYPES,
  type PredictionType,
  parseSchedulerConfig,
  type SchedulerConfig,
  SchedulerConfigError,
  schedulerConfigToJSON,
  TIMESTEP_SPACINGS,
  type TimestepSpacing,
  VARIANCE_TYPES,
  type VarianceType,
} from './config.js';
export { cos, exp, ln, sigmoid, sin } from './elementary.js';
export { fingerprint, tablesFingerprint } from './fingerprint.js';
export { gaussians, type NoiseSource, PhiloxNoise } from './gaussian.js';
export { philox4x32 } from './philox.js';
export { sha256Hex } from './sha256.js';
export { type ReverseLoopHooks, type ReverseLoopOptions, type ReverseStep, runReverseLoop } from './reverse-loop.js';
export {
  createScheduler,
  type DdimOptions,
  type DdpmOptions,
  ddim,
  ddpm,
  SAMPLING_METHODS,
  type SamplingMethod,
  Scheduler,
  type StepBuffers,
  type StepCoefficients,
} from './scheduler.js';
export { addNoise, guidance, predictX0 } from './steps.js';
export { computeTables, type ScheduleTables, TABLE_NAMES } from './tables.js';
export { inferenceTimesteps, previousTimestep } from './timesteps.js';
