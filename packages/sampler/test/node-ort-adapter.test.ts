// The onnxruntime-node adapter: input dtype/rank adaptation, contract errors, provider fallback,
// NaN detection and model sources.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import { createScheduler, DEFAULT_SCHEDULER_CONFIG, fingerprint, PhiloxNoise, schedulerConfigToJSON, type SchedulerConfig } from '@onnx-ddpm/schedule';
import {
  cudaProviderInstalled,
  decodeNpy,
  encodeNpy,
  loadModelSource,
  NonFiniteError,
  nodeSessionDefaults,
  NpyNoiseSource,
  OrtDenoiser,
  parseExecutionProviders,
  sample,
} from '@onnx-ddpm/sampler/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipForHardware } from '../../../test/prereqs.js';
import { buildLinearModel, gaussianDataCoefficients, type LinearModelSpec, testValues } from './node-test-models.js';

const T = 100;
const ITEM = [2, 3, 3];
const base: LinearModelSpec = { itemShape: ITEM, a: gaussianDataCoefficients(T, 0.0001, 0.02, 0.5), w: testValues(18, 3), T };
const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };
const cpu = { executionProviders: ['cpu'] as const };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sampler-node-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('timestep dtype and rank adaptation', () => {
  const x = testValues(3 * 18, 9);
  const t = new Int32Array([37, 37, 37]);

  it('int32 / float32 [N], int64 [1] and scalar, int32 scalar all compute what int64 [N] does', async () => {
    const reference = await OrtDenoiser.create(buildLinearModel(base), cpu);
    const expected = (await reference.predict(x, [3, ...ITEM], t, null)).slice();
    const full = await sample(reference, createScheduler(config, { method: 'ddim', steps: 10 }), { batch: 3, noise: new PhiloxNoise(4) });
    const variants: Pick<LinearModelSpec, 'timestepType' | 'timestepRank'>[] = [
      { timestepType: 'int32' },
      { timestepType: 'float32' },
      { timestepType: 'int64', timestepRank: 'single' },
      { timestepType: 'int64', timestepRank: 'scalar' },
      { timestepType: 'int32', timestepRank: 'scalar' },
      { timestepType: 'float32', timestepRank: 'single' },
    ];
    for (const v of variants) {
      const m = await OrtDenoiser.create(buildLinearModel({ ...base, ...v }), cpu);
      expect(Array.from(await m.predict(x, [3, ...ITEM], t, null))).toEqual(Array.from(expected));
      const s = await sample(m, createScheduler(config, { method: 'ddim', steps: 10 }), { batch: 3, noise: new PhiloxNoise(4) });
      expect(Buffer.from(s.samples.buffer).equals(Buffer.from(full.samples.buffer))).toBe(true);
      await m.dispose();
    }
    await reference.dispose();
  });

  it('a one-timestep model refuses a batch with different timesteps', async () => {
    const m = await OrtDenoiser.create(buildLinearModel({ ...base, timestepRank: 'scalar' }), cpu);
    await expect(m.predict(x, [3, ...ITEM], new Int32Array([1, 2, 3]), null)).rejects.toThrow(/one value for the whole batch/);
    await m.dispose();
  });

  it('int32 class labels and symbolic item dims with a given item shape', async () => {
    const spec: LinearModelSpec = { ...base, classTable: testValues(4 * 18, 5), numClasses: 3, labelType: 'int32', symbolicItemDims: true };
    const m = await OrtDenoiser.create(buildLinearModel(spec), { ...cpu, numClasses: 3, sampleShape: ITEM });
    expect(m.info).toMatchObject({ numClasses: 3, sampleShape: ITEM });
    const a = (await m.predict(x, [3, ...ITEM], t, Int32Array.from([0, 1, 3]))).slice();
    const b = await m.predict(x, [3, ...ITEM], t, Int32Array.from([1, 1, 3]));
    expect(a.subarray(18).join()).toBe(b.subarray(18).join());
    expect(a.subarray(0, 18).join()).not.toBe(b.subarray(0, 18).join());
    await m.dispose();
    await expect(OrtDenoiser.create(buildLinearModel(spec), { ...cpu, numClasses: 3 })).rejects.toThrow(/symbolic item dims/);
    await expect(OrtDenoiser.create(buildLinearModel(spec), { ...cpu, sampleShape: ITEM })).rejects.toThrow(
      /class_labels' input but its number of classes is unknown/,
    );
  });
});

describe('model contract errors', () => {
  it('wrong input names: the error lists what the model has', async () => {
    const bytes = buildLinearModel({ ...base, names: { sample: 'x', timestep: 't' } });
    await expect(OrtDenoiser.create(bytes, cpu)).rejects.toThrow("the model has inputs x: float32 [N, 2, 3, 3], t: int64 [N]; expected 'sample'");
  });

  it('an unsupported input rank or dtype is named', async () => {
    const build = (tDims: (number | string)[], sampleType: 'float32' | 'float16') => {
      const g = new GraphBuilder();
      g.input('sample', sampleType, ['N', 2]);
      g.input('timestep', 'int64', tDims);
      g.node('Identity', ['sample'], {}, { outputs: ['out_sample'] });
      g.output('out_sample', sampleType, ['N', 2]);
      return encodeModel(g.build());
    };
    await expect(OrtDenoiser.create(build(['N', 1], 'float32'), cpu)).rejects.toThrow('input timestep: int64 [N, 1] is not supported');
    await expect(OrtDenoiser.create(build(['N'], 'float16'), cpu)).rejects.toThrow('input sample: float16 [N, 2] is not supported');
  });
});

describe('execution providers', () => {
  it('parses an ordered preference and rejects unknown names', () => {
    expect(parseExecutionProviders('cuda, webgpu,cpu')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(() => parseExecutionProviders('cuda,tpu')).toThrow("unknown execution provider 'tpu'");
    expect(() => parseExecutionProviders('cpu,cpu')).toThrow(/listed twice/);
  });

  it('runs the CPU EP on every core (onnxruntime-node ran 1 thread here by default), with the same outputs as 1 thread', async () => {
    expect(nodeSessionDefaults('cpu')).toEqual({ intraOpNumThreads: availableParallelism() });
    expect(nodeSessionDefaults('webgpu')).toEqual({});
    const x = Float32Array.from({ length: 4 * 18 }, (_, i) => Math.sin(i));
    const args = [x, [4, ...ITEM], Int32Array.from([1, 20, 50, 99]), null] as const;
    const cores = await OrtDenoiser.create(buildLinearModel(base), cpu);
    const one = await OrtDenoiser.create(buildLinearModel(base), { ...cpu, sessionOptions: { intraOpNumThreads: 1 } });
    expect(Array.from(await cores.predict(...args))).toEqual(Array.from(await one.predict(...args)));
    await cores.dispose();
    await one.dispose();
  });

  it('falls back from a missing CUDA provider with one warning naming pnpm setup:gpu', skipForHardware(cudaProviderInstalled(), 'the CUDA provider works here: no fallback to see'), async () => {
    const warnings: string[] = [];
    const m = await OrtDenoiser.create(buildLinearModel(base), { executionProviders: ['cuda', 'cpu'], onWarning: (w) => warnings.push(w) });
    expect(m.executionProvider).toBe('cpu');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cuda unavailable: .*pnpm setup:gpu.*falling back to cpu/);
    await m.dispose();
    await expect(OrtDenoiser.create(buildLinearModel(base), { executionProviders: ['cuda'] })).rejects.toThrow(/no execution provider of \[cuda\] works/);
  });
});

describe('non-finite x_t', () => {
  it('stops with an error naming the step where x_t became NaN', async () => {
    const m = await OrtDenoiser.create(buildLinearModel({ ...base, nanBelow: 25 }), cpu);
    const seen: number[] = [];
    // DDIM 20 steps over T = 100 ('leading'): t = 95, 90, …; t = 20 (< 25) is step 16.
    const run = sample(m, createScheduler(config, { method: 'ddim', steps: 20 }), { batch: 2, noise: new PhiloxNoise(1), onStep: (e) => void seen.push(e.t) });
    await expect(run).rejects.toThrow(NonFiniteError);
    await expect(sample(m, createScheduler(config, { method: 'ddim', steps: 20 }), { batch: 2, noise: new PhiloxNoise(1) })).rejects.toThrow(
      /x_t became NaN at reverse step 16\/20 \(t=20/,
    );
    expect(seen.at(-1)).toBe(25);
    await m.dispose();
  });
});

describe('noise from a .npy file', () => {
  it('replays the Philox run bit for bit when the file holds the same noise', async () => {
    const m = await OrtDenoiser.create(buildLinearModel(base), cpu);
    const steps = 8;
    const frame = 2 * 18;
    const philox = new PhiloxNoise(77);
    const frames = new Float32Array((steps + 1) * frame);
    for (let k = 0; k <= steps; k++) philox.fill(k, frames.subarray(k * frame, (k + 1) * frame));
    const bytes = encodeNpy(frames, [steps + 1, 2, ...ITEM]);
    const fromNpy = new NpyNoiseSource(decodeNpy(bytes), { steps, itemShape: [2, ...ITEM] });
    const scheduler = createScheduler(config, { method: 'ddim', steps, eta: 1 });
    const a = await sample(m, scheduler, { batch: 2, noise: new PhiloxNoise(77) });
    const b = await sample(m, scheduler, { batch: 2, noise: fromNpy });
    expect(Buffer.from(a.samples.buffer).equals(Buffer.from(b.samples.buffer))).toBe(true);
    await m.dispose();
  });
});

describe('model sources', () => {
  const cfgA: SchedulerConfig = { ...config, beta_end: 0.02 };
  const cfgB: SchedulerConfig = { ...config, beta_end: 0.03 };
  const metadata = {
    'onnx_ddpm.scheduler_config': schedulerConfigToJSON(cfgA),
    'onnx_ddpm.model_config': JSON.stringify({ model_type: 'unet', sample_size: 3, in_channels: 2, num_classes: 0 }),
    'onnx_ddpm.schedule_fingerprint': fingerprint(cfgA),
  };

  it('reads the scheduler config and model config from our metadata', async () => {
    const file = join(dir, 'meta.onnx');
    writeFileSync(file, buildLinearModel({ ...base, metadata }));
    const src = await loadModelSource(file);
    expect(src.configFrom).toBe('model metadata');
    expect(src.config.beta_end).toBe(0.02);
    expect(src.sampleShape).toEqual([2, 3, 3]);
    expect(src.numClasses).toBe(0);
    expect(src.warnings).toEqual([]);
    // An explicit config overrides the metadata and, differing, is warned about.
    const other = join(dir, 'other.json');
    writeFileSync(other, schedulerConfigToJSON(cfgB));
    const overridden = await loadModelSource(file, { schedulerConfigPath: other });
    expect(overridden.config.beta_end).toBe(0.03);
    expect(overridden.warnings).toHaveLength(1);
    expect(overridden.warnings[0]).toMatch(/differs from the one the model was trained with/);
  });

  it('reads a diffusers-style folder', async () => {
    const folder = join(dir, 'pipe');
    mkdirSync(join(folder, 'unet'), { recursive: true });
    mkdirSync(join(folder, 'scheduler'), { recursive: true });
    writeFileSync(join(folder, 'unet', 'model.onnx'), buildLinearModel(base));
    writeFileSync(join(folder, 'unet', 'config.json'), JSON.stringify({ sample_size: 3, in_channels: 2, num_class_embeds: null }));
    writeFileSync(
      join(folder, 'scheduler', 'scheduler_config.json'),
      JSON.stringify({ _class_name: 'DDPMScheduler', num_train_timesteps: T, beta_schedule: 'linear', prediction_type: 'v_prediction' }),
    );
    const src = await loadModelSource(folder);
    expect(src.modelPath).toBe(join(folder, 'unet', 'model.onnx'));
    expect(src.config.prediction_type).toBe('v_prediction');
    expect(src.sampleShape).toEqual([2, 3, 3]);
    expect(src.numClasses).toBe(0);
  });

  it('names the problem for a missing path, a non-ONNX file, a truncated model, no scheduler config', async () => {
    await expect(loadModelSource(join(dir, 'nope.onnx'))).rejects.toThrow(`model not found: ${join(dir, 'nope.onnx')}`);
    const text = join(dir, 'text.onnx');
    writeFileSync(text, 'this is not a model\n'.repeat(20));
    await expect(loadModelSource(text)).rejects.toThrow(`${text} is not an ONNX model`);
    const bytes = buildLinearModel({ ...base, metadata });
    const cut = join(dir, 'cut.onnx');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expect(loadModelSource(cut)).rejects.toThrow(`${cut} is not an ONNX model`);
    const bare = join(dir, 'bare.onnx');
    writeFileSync(bare, buildLinearModel(base));
    await expect(loadModelSource(bare)).rejects.toThrow(/carries no onnx_ddpm.scheduler_config metadata; give a scheduler config with --scheduler-config/);
    await expect(loadModelSource(dir)).rejects.toThrow(/folder without unet\/model.onnx/);
  });
});
