import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeModel, encodeModel, inspectModel } from '@onnx-ddpm/onnx';
import { checkModel } from '@onnx-ddpm/onnx/checker';
import { DEFAULT_SCHEDULER_CONFIG, fingerprint, type SchedulerConfig } from '@onnx-ddpm/schedule';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkExport,
  createModel,
  defaultMlpConfig,
  type EpsNet,
  ExportCheckError,
  exportOnnx,
} from '../src/node.js';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';
import { smallUNet } from './helpers.js';

const unet = smallUNet({ imageSize: 16, channels: 2, baseChannels: 16, attentionResolutions: [8], dropout: 0.1 });

const schedule: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: 200, beta_schedule: 'squaredcos_cap_v2' };
const training = { dataset: 'synthetic', steps: 3, batch: 4, ema_decay: 0.999, final_loss: 0.5, backend: 'cpu' };

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-export-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Moves the weights away from their initial values (γ ≠ 1, β ≠ 0) so folding is exercised. */
function perturbWeights(model: EpsNet, seed: number): void {
  model.setWeights(
    model.getWeights().map((w, i) => {
      const out = new Float32Array(w.length);
      for (let j = 0; j < w.length; j++) out[j] = (w[j] as number) + 0.05 * Math.sin(seed + 13 * i + 0.7 * j);
      return out;
    }),
  );
}

describe('exportOnnx: U-Net', () => {
  for (const numClasses of [0, 3]) {
    it(`${numClasses ? 'class-conditional' : 'unconditional'} 16×16 U-Net with attention: contract, parity`, async () => {
      const model = createModel({ ...unet, numClasses }, 31 + numClasses);
      perturbWeights(model, numClasses);
      const bytes = exportOnnx({ model, schedulerConfig: schedule, training });
      const summary = inspectModel(bytes);
      const expectedInputs = [
        { name: 'sample', dtype: 'float32', shape: ['N', 2, 16, 16] },
        { name: 'timestep', dtype: 'int64', shape: ['N'] },
      ];
      if (numClasses) expectedInputs.push({ name: 'class_labels', dtype: 'int64', shape: ['N'] });
      expect(summary.inputs).toEqual(expectedInputs);
      expect(summary.outputs).toEqual([{ name: 'out_sample', dtype: 'float32', shape: ['N', 2, 16, 16] }]);
      expect(summary.opsets).toEqual([{ domain: '', version: 17 }]);
      expect(summary.opCounts['GroupNormalization']).toBeUndefined();
      // Attention after each res block at 8×8 (1 down, 2 up) + the middle one = 4 blocks.
      expect(summary.opCounts['Softmax']).toBe(4);
      expect(summary.opCounts['Transpose']).toBe(2 * 4);
      expect(summary.opCounts['Sin']).toBe(1);
      expect(summary.opCounts['Cast']).toBe(1);
      expect(summary.opCounts['InstanceNormalization']).toBeGreaterThan(0);
      const meta = summary.metadata;
      expect(JSON.parse(meta['onnx_ddpm.scheduler_config'] as string)).toMatchObject({
        num_train_timesteps: 200,
        beta_schedule: 'squaredcos_cap_v2',
        prediction_type: 'epsilon',
      });
      expect(meta['onnx_ddpm.schedule_fingerprint']).toBe(fingerprint(schedule));
      expect(JSON.parse(meta['onnx_ddpm.training'] as string)).toEqual(training);
      expect(JSON.parse(meta['onnx_ddpm.model_config'] as string)).toMatchObject({
        model_type: 'unet',
        sample_size: 16,
        in_channels: 2,
        num_classes: numClasses,
        base_channels: 16,
        channel_multipliers: [1, 2],
        attention_resolutions: [8],
        norm_num_groups: 4,
        parameter_count: model.parameterCount(),
      });
      const parity = await checkExport(bytes, model);
      expect(parity.cases).toBeGreaterThanOrEqual(4);
      expect(parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      model.dispose();
    });
  }

  it('opset 18 (Split with num_outputs) also matches; unsupported opsets are rejected', async () => {
    const model = createModel(unet, 41);
    const bytes = exportOnnx({ model, schedulerConfig: schedule, training, opset: 18 });
    expect(inspectModel(bytes).opsets).toEqual([{ domain: '', version: 18 }]);
    expect((await checkExport(bytes, model)).maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(() => exportOnnx({ model, schedulerConfig: schedule, training, opset: 11 })).toThrow(/opset 11/);
    expect(() =>
      exportOnnx({ model, schedulerConfig: { ...schedule, beta_schedule: 'cubic' as 'linear' }, training }),
    ).toThrow(/beta_schedule/);
    model.dispose();
  });

  it('a perturbed ONNX initializer is caught by the parity check', async () => {
    const model = createModel(unet, 51);
    const proto = decodeModel(exportOnnx({ model, schedulerConfig: schedule, training }));
    const bias = proto.graph?.initializer?.find((t) => t.name === 'out.conv.bias');
    expect(bias?.rawData).toBeDefined();
    const raw = bias?.rawData as Uint8Array;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    view.setFloat32(0, view.getFloat32(0, true) + 1e-3, true);
    const broken = encodeModel(proto);
    const error = await checkExport(broken, model).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportCheckError);
    expect((error as ExportCheckError).maxAbsDiff).toBeGreaterThan(9e-4);
    expect((error as ExportCheckError).message).toMatch(/max \|onnx − tfjs\| = 1\.0\d*e-3 > 0\.0001/);
    // A loose tolerance accepts the same bytes.
    expect((await checkExport(broken, model, { tolerance: 2e-3 })).maxAbsDiff).toBeLessThan(2e-3);
    model.dispose();
  });
});

describe('exportOnnx: MLP', () => {
  for (const numClasses of [0, 4]) {
    it(`${numClasses ? 'class-conditional' : 'unconditional'} MLP: [N, 2] contract, parity`, async () => {
      const model = createModel(defaultMlpConfig(numClasses), 61 + numClasses);
      const bytes = exportOnnx({ model, schedulerConfig: schedule, training });
      const summary = inspectModel(bytes);
      expect(summary.inputs[0]).toEqual({ name: 'sample', dtype: 'float32', shape: ['N', 2] });
      expect(summary.inputs.map((i) => i.name)).toEqual(
        numClasses ? ['sample', 'timestep', 'class_labels'] : ['sample', 'timestep'],
      );
      expect(summary.outputs).toEqual([{ name: 'out_sample', dtype: 'float32', shape: ['N', 2] }]);
      expect(JSON.parse(summary.metadata['onnx_ddpm.model_config'] as string)).toMatchObject({
        model_type: 'mlp',
        data_dim: 2,
        num_classes: numClasses,
        hidden: 128,
        parameter_count: model.parameterCount(),
      });
      expect((await checkExport(bytes, model)).maxAbsDiff).toBeLessThanOrEqual(1e-4);
      model.dispose();
    });
  }
});

describe('onnx.checker (full_check) accepts the exports', requires(TEST_DEPS.pythonOnnx), () => {
  it.each([
    ['unconditional U-Net', { ...unet, numClasses: 0 }],
    ['class-conditional U-Net', { ...unet, numClasses: 3 }],
    ['unconditional MLP', defaultMlpConfig(0)],
    ['class-conditional MLP', defaultMlpConfig(4)],
  ])('%s', async (name, config) => {
    const model = createModel(config, 7);
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, exportOnnx({ model, schedulerConfig: schedule, training }));
    model.dispose();
    const result = await checkModel(path);
    expect(result.available, result.message).toBe(true);
    expect(result.ok, result.message).toBe(true);
  });
});
