import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCHEDULER_CONFIG,
  parseSchedulerConfig,
  type SchedulerConfig,
  SchedulerConfigError,
  schedulerConfigToJSON,
} from '../src/index.js';

describe('parseSchedulerConfig', () => {
  it('fills diffusers DDPMScheduler defaults', () => {
    expect(parseSchedulerConfig({})).toEqual({
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
    });
    expect(parseSchedulerConfig('{}')).toEqual(DEFAULT_SCHEDULER_CONFIG);
  });

  it('reads a diffusers scheduler_config.json, ignoring extra keys', () => {
    const text = JSON.stringify({
      _class_name: 'DDPMScheduler',
      _diffusers_version: '0.30.0',
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      beta_start: 0.00085,
      clip_sample: false,
      clip_sample_range: 1.5,
      dynamic_thresholding_ratio: 0.995,
      num_train_timesteps: 500,
      prediction_type: 'v_prediction',
      sample_max_value: 1.0,
      steps_offset: 1,
      thresholding: false,
      timestep_spacing: 'trailing',
      trained_betas: null,
      variance_type: 'fixed_large',
    });
    const config = parseSchedulerConfig(text);
    expect(config).toEqual({
      num_train_timesteps: 500,
      beta_start: 0.00085,
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      trained_betas: null,
      variance_type: 'fixed_large',
      clip_sample: false,
      clip_sample_range: 1.5,
      prediction_type: 'v_prediction',
      timestep_spacing: 'trailing',
      steps_offset: 1,
    });
    expect(Object.keys(config)).not.toContain('_class_name');
  });

  it('round-trips through schedulerConfigToJSON', () => {
    const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: 4, trained_betas: [0.1, 0.2, 0.3, 0.4] };
    const text = schedulerConfigToJSON(config);
    expect(JSON.parse(text)._class_name).toBe('DDPMScheduler');
    expect(parseSchedulerConfig(text)).toEqual(config);
  });

  const bad: [string, unknown, RegExp][] = [
    ['unknown schedule', { beta_schedule: 'cosine' }, /beta_schedule must be one of linear, .*got "cosine"/],
    ['negative beta', { beta_start: -0.1 }, /beta_start must be a number in \(0, 1\), got -0\.1/],
    ['beta > 1', { beta_end: 1.5 }, /beta_end must be a number in \(0, 1\), got 1\.5/],
    ['beta as a string', { beta_end: '0.02' }, /beta_end must be a number in \(0, 1\), got "0\.02"/],
    ['non-integer T', { num_train_timesteps: 10.5 }, /num_train_timesteps must be an integer in \[2, 1000000\], got 10\.5/],
    ['T as a string', { num_train_timesteps: '1000' }, /num_train_timesteps must be an integer in \[2, 1000000\], got "1000"/],
    ['T = 1', { num_train_timesteps: 1 }, /num_train_timesteps must be an integer in \[2, 1000000\], got 1/],
    ['huge T', { num_train_timesteps: 1e9 }, /num_train_timesteps must be an integer in \[2, 1000000\], got 1000000000/],
    ['trained_betas of the wrong length', { num_train_timesteps: 3, trained_betas: [0.1, 0.2] }, /trained_betas must have num_train_timesteps = 3 entries, got 2/],
    ['trained_betas entry out of range', { num_train_timesteps: 3, trained_betas: [0.1, 1.2, 0.3] }, /trained_betas\[1\] must be a number in \(0, 1\), got 1\.2/],
    ['trained_betas not an array', { trained_betas: 'abc' }, /trained_betas must be null or an array of numbers, got "abc"/],
    ['unknown variance type', { variance_type: 'learned_range' }, /variance_type must be one of fixed_small, .*got "learned_range"/],
    ['unknown prediction type', { prediction_type: 'eps' }, /prediction_type must be one of epsilon, sample, v_prediction, got "eps"/],
    ['unknown spacing', { timestep_spacing: 'uniform' }, /timestep_spacing must be one of leading, trailing, linspace, got "uniform"/],
    ['clip_sample not boolean', { clip_sample: 'yes' }, /clip_sample must be true or false, got "yes"/],
    ['clip_sample_range ≤ 0', { clip_sample_range: 0 }, /clip_sample_range must be a positive finite number, got 0/],
    ['negative steps_offset', { steps_offset: -1 }, /steps_offset must be an integer ≥ 0, got -1/],
    ['null field', { beta_start: null }, /beta_start must be a number in \(0, 1\), got null/],
    ['thresholding (unsupported)', { thresholding: true }, /thresholding must be false \(not supported\), got true/],
    ['an array', [1, 2], /expected a JSON object, got \[1,2\]/],
    ['invalid JSON text', '{"beta_start": ', /not valid JSON/],
  ];
  for (const [what, input, message] of bad) {
    it(`rejects ${what} with a SchedulerConfigError naming field and value`, () => {
      const run = () => parseSchedulerConfig(typeof input === 'string' ? input : JSON.parse(JSON.stringify(input)));
      expect(run).toThrow(SchedulerConfigError);
      expect(run).toThrow(message);
    });
  }

  it('copies trained_betas (later mutation of the input does not leak in)', () => {
    const betas = [0.1, 0.2];
    const config = parseSchedulerConfig({ num_train_timesteps: 2, trained_betas: betas });
    betas[0] = 0.5;
    expect(config.trained_betas).toEqual([0.1, 0.2]);
  });
});

describe('parseSchedulerConfig: inconsistent schedules', () => {
  it('refuses beta_start above beta_end where the schedule uses them', () => {
    expect(() => parseSchedulerConfig({ beta_start: 0.02, beta_end: 0.0001 })).toThrow(/beta_start 0\.02 is above beta_end 0\.0001/);
    expect(() => parseSchedulerConfig({ beta_schedule: 'sigmoid', beta_start: 0.02, beta_end: 0.0001 })).toThrow(SchedulerConfigError);
    // A constant schedule is fine, and the cosine schedule ignores them.
    expect(parseSchedulerConfig({ beta_start: 0.01, beta_end: 0.01 }).beta_end).toBe(0.01);
    expect(parseSchedulerConfig({ beta_schedule: 'squaredcos_cap_v2', beta_start: 0.02, beta_end: 0.0001 }).beta_schedule).toBe('squaredcos_cap_v2');
  });

  it('refuses a schedule whose ᾱ underflows float32, naming where', () => {
    expect(() => parseSchedulerConfig({ beta_end: 0.5 })).toThrow(/ᾱ_t = Π\(1 − β\) underflows float32 at t = 561 of 1000 \(linear from beta_start 0\.0001 to beta_end 0\.5\)/);
    expect(() => parseSchedulerConfig({ num_train_timesteps: 3, trained_betas: [0.5, 0.5, 0.9999999] })).not.toThrow();
    expect(() => parseSchedulerConfig({ num_train_timesteps: 200, trained_betas: Array(200).fill(0.6) })).toThrow(/at t = 95 of 200 \(trained_betas\)/);
    for (const schedule of ['linear', 'scaled_linear', 'squaredcos_cap_v2', 'sigmoid'] as const) {
      expect(() => parseSchedulerConfig({ beta_schedule: schedule, num_train_timesteps: 4000 })).not.toThrow();
    }
  });
});
