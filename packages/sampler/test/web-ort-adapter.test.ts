// The onnxruntime-web adapter in Node (wasm EP): same samples as the onnxruntime-node adapter for
// the same seed, the contract's dtype/rank adaptation, clear errors for models that do not fit.
import { createScheduler, DEFAULT_SCHEDULER_CONFIG, PhiloxNoise, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { OrtEpsModel, sample as sampleNode } from '@onnx-ddpm/sampler/node';
import { OrtWebEpsModel, sample, SamplerError } from '@onnx-ddpm/sampler/web';
import { describe, expect, it } from 'vitest';
import { buildLinearModel, gaussianDataCoefficients, type LinearModelSpec, testValues } from './node-test-models.js';

const T = 100;
const ITEM = [2, 3, 3];
const D = 18;
const base: LinearModelSpec = { itemShape: ITEM, a: gaussianDataCoefficients(T, 0.0001, 0.02, 0.5), w: testValues(D, 3), T };
const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };
const wasm = { executionProviders: ['wasm'] as const };

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('OrtWebEpsModel on the wasm EP (Node)', () => {
  it('samples what the onnxruntime-node adapter samples, DDPM and DDIM, for every timestep dtype and rank', async () => {
    const variants: Pick<LinearModelSpec, 'timestepType' | 'timestepRank'>[] = [
      { timestepType: 'int64' },
      { timestepType: 'int32' },
      { timestepType: 'float32', timestepRank: 'single' },
      { timestepType: 'int64', timestepRank: 'scalar' },
    ];
    for (const v of variants) {
      const bytes = buildLinearModel({ ...base, ...v });
      const web = await OrtWebEpsModel.create(bytes, wasm);
      expect(web.executionProvider).toBe('wasm');
      const node = await OrtEpsModel.create(bytes, { executionProviders: ['cpu'] });
      for (const opts of [
        { method: 'ddpm' as const, steps: 20, batch: 3 },
        { method: 'ddim' as const, steps: 10, eta: 0.5, batch: 2 },
      ]) {
        const scheduler = createScheduler(config, opts);
        const a = await sample(web, scheduler, { ...opts, noise: new PhiloxNoise(11) });
        const b = await sampleNode(node, scheduler, { ...opts, noise: new PhiloxNoise(11) });
        expect(a.shape).toEqual(b.shape);
        expect(maxAbsDiff(a.samples, b.samples)).toBeLessThanOrEqual(1e-3);
      }
      await web.dispose();
      await node.dispose();
    }
  });

  it('feeds class labels and runs classifier-free guidance like the Node adapter', async () => {
    const numClasses = 3;
    const bytes = buildLinearModel({ ...base, classTable: testValues((numClasses + 1) * D, 5, -0.3, 0.3), numClasses, labelType: 'int32' });
    const web = await OrtWebEpsModel.create(bytes, { ...wasm, numClasses });
    const node = await OrtEpsModel.create(bytes, { executionProviders: ['cpu'], numClasses });
    const opts = { method: 'ddim' as const, steps: 8, batch: 3, classLabels: new Int32Array([0, 2, 1]), guidance: 2.5 };
    const scheduler = createScheduler(config, opts);
    const a = await sample(web, scheduler, { ...opts, noise: new PhiloxNoise(3) });
    const b = await sampleNode(node, scheduler, { ...opts, noise: new PhiloxNoise(3) });
    expect(maxAbsDiff(a.samples, b.samples)).toBeLessThanOrEqual(1e-3);
    // The labels matter: another class gives another sample.
    const c = await sample(web, scheduler, { ...opts, classLabels: new Int32Array([1, 1, 1]), noise: new PhiloxNoise(3) });
    expect(maxAbsDiff(a.samples, c.samples)).toBeGreaterThan(1e-2);
    await web.dispose();
    await node.dispose();
  });

  it('names the inputs it found when they do not fit the contract', async () => {
    const bytes = buildLinearModel({ ...base, names: { sample: 'x', timestep: 't' } });
    const err = await OrtWebEpsModel.create(bytes, wasm).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SamplerError);
    expect((err as Error).message).toMatch(/the model has inputs x: float32 \[N, 2, 3, 3\], t: int64 \[N\]; expected 'sample'/);
  });

  it('refuses bytes that are not ONNX with a one-line message', async () => {
    const err = await OrtWebEpsModel.create(new TextEncoder().encode('not a model'), wasm).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^onnxruntime-web could not load the model: /);
    expect((err as Error).message).not.toContain('\n');
  });

  it('says why WebGPU is skipped in Node and falls back to wasm', async () => {
    const warnings: string[] = [];
    const web = await OrtWebEpsModel.create(buildLinearModel(base), { onWarning: (w) => warnings.push(w) });
    expect(web.executionProvider).toBe('wasm');
    expect(warnings).toEqual(["execution provider webgpu unavailable: onnxruntime-web's Node build has no WebGPU EP; falling back to wasm"]);
    await web.dispose();
  });
});
