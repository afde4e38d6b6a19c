import { describe, expect, it } from 'vitest';
import { DDPM_METADATA_KEYS, DdpmMetadataError, describeModelConfig, readDdpmMetadata, writeDdpmMetadata } from '../src/index.js';

describe('the ONNX model contract (writer and reader side by side)', () => {
  it('reads back what it writes', () => {
    const written = writeDdpmMetadata({
      schedulerConfigJson: '{"num_train_timesteps":50}',
      modelConfig: { model_type: 'mlp', data_dim: 2, num_classes: 0 },
      scheduleFingerprint: 'sha256:ab',
      training: { dataset: 'toy:s_curve', steps: 3 },
    });
    expect(Object.keys(written).sort()).toEqual(Object.values(DDPM_METADATA_KEYS).sort());
    expect(readDdpmMetadata(written, 'm.onnx')).toEqual({
      schedulerConfig: { num_train_timesteps: 50 },
      modelConfig: { model_type: 'mlp', data_dim: 2, num_classes: 0 },
      scheduleFingerprint: 'sha256:ab',
      training: { dataset: 'toy:s_curve', steps: 3 },
    });
    expect(readDdpmMetadata({ other: 'x' }, 'bare.onnx')).toEqual({});
  });

  it('names the key whose value is not JSON', () => {
    expect(() => readDdpmMetadata({ [DDPM_METADATA_KEYS.training]: '{ nope' }, 'm.onnx')).toThrow(DdpmMetadataError);
    expect(() => readDdpmMetadata({ [DDPM_METADATA_KEYS.modelConfig]: '{' }, 'm.onnx')).toThrow(/^m\.onnx metadata onnx_ddpm\.model_config is not valid JSON/);
  });

  it('describes our U-Net and MLP configs and diffusers unet/config.json; camelCase fields are not ours', () => {
    expect(describeModelConfig({ model_type: 'unet', sample_size: 28, in_channels: 1, num_classes: 10 })).toEqual({ numClasses: 10, sampleShape: [1, 28, 28] });
    expect(describeModelConfig({ model_type: 'mlp', data_dim: 2, num_classes: 0 })).toEqual({ numClasses: 0, sampleShape: [2] });
    expect(describeModelConfig({ sample_size: 32, in_channels: 3, num_class_embeds: null })).toEqual({ numClasses: 0, sampleShape: [3, 32, 32] });
    expect(describeModelConfig({ imageSize: 4, channels: 1, numClasses: 3 })).toEqual({ numClasses: undefined, sampleShape: undefined });
  });
});
