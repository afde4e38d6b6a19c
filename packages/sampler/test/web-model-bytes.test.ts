// readModelBytes: the one pure model reader (bytes + onnx_ddpm metadata, no file system); Node's loadModelSource only resolves files.
import { DEFAULT_SCHEDULER_CONFIG, fingerprint, schedulerConfigToJSON } from '@onnx-ddpm/schedule';
import { ModelSourceError, readModelBytes } from '@onnx-ddpm/sampler/web';
import { describe, expect, it } from 'vitest';
import { buildLinearModel, gaussianDataCoefficients, type LinearModelSpec, testValues } from './node-test-models.js';

const T = 50;
const config = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };
const spec: LinearModelSpec = { itemShape: [1, 4, 4], a: gaussianDataCoefficients(T, 0.0001, 0.02, 0.5), w: testValues(16, 1), T };
const withMetadata = buildLinearModel({
  ...spec,
  metadata: {
    'onnx_ddpm.scheduler_config': schedulerConfigToJSON(config),
    'onnx_ddpm.model_config': JSON.stringify({ model_type: 'unet', sample_size: 4, in_channels: 1, num_classes: 0 }),
    'onnx_ddpm.schedule_fingerprint': fingerprint(config),
    'onnx_ddpm.training': JSON.stringify({ dataset: 'fashion-mnist', steps: 7 }),
  },
});

describe('readModelBytes', () => {
  it('reads the scheduler config, item shape, classes and training facts from the metadata', () => {
    const s = readModelBytes(withMetadata, 'm.onnx');
    expect(s.config).toEqual(config);
    expect(s.configFrom).toBe('model metadata');
    expect(s.sampleShape).toEqual([1, 4, 4]);
    expect(s.numClasses).toBe(0);
    expect(s.training).toEqual({ dataset: 'fashion-mnist', steps: 7 });
    expect(s.warnings).toEqual([]);
  });

  it('takes a scheduler_config.json over the metadata and warns when its schedule differs from the trained one', () => {
    const other = schedulerConfigToJSON({ ...config, beta_end: 0.03 });
    const s = readModelBytes(withMetadata, 'm.onnx', { schedulerConfig: other });
    expect(s.configFrom).toBe('scheduler_config.json');
    expect(s.config?.beta_end).toBe(0.03);
    expect(s.warnings).toEqual([expect.stringMatching(/differs from the one the model was trained with/)]);
  });

  it('leaves config null for a model without metadata, and refuses non-ONNX bytes and bad JSON', () => {
    expect(readModelBytes(buildLinearModel(spec), 'bare.onnx').config).toBeNull();
    expect(() => readModelBytes(new TextEncoder().encode('hello'), 'notes.onnx')).toThrow(ModelSourceError);
    expect(() => readModelBytes(new TextEncoder().encode('hello'), 'notes.onnx')).toThrow(/^notes\.onnx is not an ONNX model: /);
    expect(() => readModelBytes(withMetadata, 'm.onnx', { schedulerConfig: '{ nope' })).toThrow(/scheduler_config\.json is not valid JSON/);
    expect(() => readModelBytes(withMetadata, 'm.onnx', { schedulerConfig: '{"beta_schedule": "cubic"}' })).toThrow(/invalid scheduler config in scheduler_config\.json: .*beta_schedule/);
  });
});
