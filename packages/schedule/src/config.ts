/** Scheduler configuration in the shape of diffusers' `scheduler_config.json`. */

import { computeBetas } from './beta-schedules.js';

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2' | 'sigmoid';
export type VarianceType = 'fixed_small' | 'fixed_small_log' | 'fixed_large' | 'fixed_large_log';
export type PredictionType = 'epsilon' | 'sample' | 'v_prediction';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

/** Field names and meanings as in diffusers' DDPMScheduler / DDIMScheduler configs. */
export interface SchedulerConfig {
  num_train_timesteps: number;
  beta_start: number;
  beta_end: number;
  beta_schedule: BetaSchedule;
  /** When set (length num_train_timesteps) it replaces beta_schedule/beta_start/beta_end. */
  trained_betas: number[] | null;
  variance_type: VarianceType;
  clip_sample: boolean;
  clip_sample_range: number;
  prediction_type: PredictionType;
  timestep_spacing: TimestepSpacing;
  steps_offset: number;
}

export const BETA_SCHEDULES: readonly BetaSchedule[] = ['linear', 'scaled_linear', 'squaredcos_cap_v2', 'sigmoid'];
export const VARIANCE_TYPES: readonly VarianceType[] = ['fixed_small', 'fixed_small_log', 'fixed_large', 'fixed_large_log'];
export const PREDICTION_TYPES: readonly PredictionType[] = ['epsilon', 'sample', 'v_prediction'];
export const TIMESTEP_SPACINGS: readonly TimestepSpacing[] = ['leading', 'trailing', 'linspace'];

/** diffusers' DDPMScheduler defaults. */
export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = Object.freeze({
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
  variance_type: 'fixed_small',
  clip_sample: true,
  clip_sample_range: 1.0,
  prediction_type: 'epsilon',
  timestep_spacing: 'leading',
  steps_offset: 0,
}) as SchedulerConfig;

/** A scheduler config that cannot be used; the message names the field and the bad value. */
export class SchedulerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerConfigError';
  }
}

/**
 * diffusers options this package does not implement: accepted (and ignored) only at the value
 * that leaves the math unchanged, so a config that relies on them is refused instead of being
 * sampled wrongly.
 */
const UNSUPPORTED_UNLESS: Readonly<Record<string, unknown>> = {
  thresholding: false,
  rescale_betas_zero_snr: false,
};

function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'undefined';
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function fail(field: string, expected: string, value: unknown): never {
  throw new SchedulerConfigError(`scheduler config: ${field} must be ${expected}, got ${show(value)}`);
}

function oneOf<T extends string>(field: string, allowed: readonly T[], value: unknown): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(field, `one of ${allowed.join(', ')}`, value);
  }
  return value as T;
}

/** A β value must lie in (0, 1): β = 0 makes 1 − ᾱ_0 = 0, β ≥ 1 makes ᾱ vanish. */
function beta(field: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) fail(field, 'a number in (0, 1)', value);
  return value;
}

function integer(field: string, min: number, max: number, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(field, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`, value);
  }
  return value;
}

/** Far above any published model (diffusers' largest are 4000); guards against absurd allocations. */
const MAX_TRAIN_TIMESTEPS = 1_000_000;

/**
 * Parses and validates a scheduler config given as JSON text or as an object. Missing fields
 * take diffusers' DDPMScheduler defaults; unknown keys (e.g. `_class_name`,
 * `_diffusers_version`) are ignored. Throws {@link SchedulerConfigError}.
 */
export function parseSchedulerConfig(input: string | unknown): SchedulerConfig {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (err) {
      throw new SchedulerConfigError(`scheduler config: not valid JSON (${(err as Error).message})`);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SchedulerConfigError(`scheduler config: expected a JSON object, got ${show(raw)}`);
  }
  const obj = raw as Record<string, unknown>;
  const get = (key: keyof SchedulerConfig): unknown =>
    obj[key] === undefined ? DEFAULT_SCHEDULER_CONFIG[key] : obj[key];

  for (const [key, neutral] of Object.entries(UNSUPPORTED_UNLESS)) {
    if (obj[key] !== undefined && obj[key] !== neutral) fail(key, `${show(neutral)} (not supported)`, obj[key]);
  }

  const T = integer('num_train_timesteps', 2, MAX_TRAIN_TIMESTEPS, get('num_train_timesteps'));
  const clipRange = get('clip_sample_range');
  if (typeof clipRange !== 'number' || !(clipRange > 0 && clipRange < Number.POSITIVE_INFINITY)) {
    fail('clip_sample_range', 'a positive finite number', clipRange);
  }
  const clipSample = get('clip_sample');
  if (typeof clipSample !== 'boolean') fail('clip_sample', 'true or false', clipSample);

  let trainedBetas: number[] | null = null;
  const trained = obj['trained_betas'];
  if (trained !== undefined && trained !== null) {
    if (!Array.isArray(trained)) fail('trained_betas', 'null or an array of numbers', trained);
    if (trained.length !== T) {
      throw new SchedulerConfigError(
        `scheduler config: trained_betas must have num_train_timesteps = ${T} entries, got ${trained.length}`,
      );
    }
    trainedBetas = trained.map((b: unknown, i) => beta(`trained_betas[${i}]`, b));
  }

  const config: SchedulerConfig = {
    num_train_timesteps: T,
    beta_start: beta('beta_start', get('beta_start')),
    beta_end: beta('beta_end', get('beta_end')),
    beta_schedule: oneOf('beta_schedule', BETA_SCHEDULES, get('beta_schedule')),
    trained_betas: trainedBetas,
    variance_type: oneOf('variance_type', VARIANCE_TYPES, get('variance_type')),
    clip_sample: clipSample,
    clip_sample_range: clipRange,
    prediction_type: oneOf('prediction_type', PREDICTION_TYPES, get('prediction_type')),
    timestep_spacing: oneOf('timestep_spacing', TIMESTEP_SPACINGS, get('timestep_spacing')),
    steps_offset: integer('steps_offset', 0, Number.MAX_SAFE_INTEGER, get('steps_offset')),
  };
  const usesStartEnd = trainedBetas === null && config.beta_schedule !== 'squaredcos_cap_v2';
  if (usesStartEnd && config.beta_start > config.beta_end) {
    throw new SchedulerConfigError(
      `scheduler config: beta_start ${config.beta_start} is above beta_end ${config.beta_end}; the noise must grow with t`,
    );
  }
  checkAlphaBarUnderflow(config);
  return config;
}

/** The smallest normal float32, 2^−126: below it ᾱ_t loses precision on its way to 0. */
const MIN_NORMAL_FLOAT32 = 2 ** -126;

/**
 * Refuses a schedule whose ᾱ_t = Π α_s (Ho et al. 2020, eq. 4) underflows float32: the samplers divide by
 * √ᾱ_t to estimate x̂_0 = (x_t − √(1 − ᾱ_t) ε)/√ᾱ_t, which then gives NaN.
 */
function checkAlphaBarUnderflow(config: SchedulerConfig): void {
  const betas = computeBetas(config);
  let alphaBar = 1;
  for (let t = 0; t < betas.length; t++) {
    alphaBar *= 1 - betas[t]!;
    if (Math.fround(alphaBar) < MIN_NORMAL_FLOAT32) {
      const schedule = config.trained_betas ? 'trained_betas' : `${config.beta_schedule} from beta_start ${config.beta_start} to beta_end ${config.beta_end}`;
      throw new SchedulerConfigError(
        `scheduler config: ᾱ_t = Π(1 − β) underflows float32 at t = ${t} of ${betas.length} (${schedule}): ` +
          `sampling would divide by √ᾱ_t = 0 and give NaN; lower beta_end or num_train_timesteps`,
      );
    }
  }
}

/** The config as diffusers-compatible `scheduler_config.json` text (DDPMScheduler class name). */
export function schedulerConfigToJSON(config: SchedulerConfig): string {
  const checked = parseSchedulerConfig(config);
  return JSON.stringify({ _class_name: 'DDPMScheduler', ...checked }, null, 2);
}
