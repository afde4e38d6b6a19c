// The device-resident reverse loop: the step graph's coefficients reproduce packages/schedule's
// steps, and the loop (run here on ORT-web's wasm EP in Node) samples what the core loop samples.
import { createScheduler, DEFAULT_SCHEDULER_CONFIG, PhiloxNoise, type PredictionType, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { OrtWebEpsModel, sample, sampleOnDevice } from '@onnx-ddpm/sampler/web';
import { describe, expect, it } from 'vitest';
import { buildLinearModel, gaussianDataCoefficients, type LinearModelSpec, testValues } from './node-test-models.js';

const T = 100;
const ITEM = [1, 4, 4];
const D = 16;
const base: LinearModelSpec = { itemShape: ITEM, a: gaussianDataCoefficients(T, 0.0001, 0.02, 0.5), w: testValues(D, 3), T };
const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('Scheduler.coefficients', () => {
  it('x̂_0 = clip(α·x + β·m), x_prev = p·x̂_0 + q·x + s·z matches the DDPM/DDIM step for every prediction type, clipping on and off', () => {
    const n = 64;
    const x = testValues(n, 1, -3, 3);
    const m = testValues(n, 2, -3, 3);
    const z = testValues(n, 3, -2, 2);
    const out = new Float32Array(n);
    const x0 = new Float32Array(n);
    for (const prediction_type of ['epsilon', 'sample', 'v_prediction'] as PredictionType[]) {
      for (const clip_sample of [true, false]) {
        const c: SchedulerConfig = { ...config, prediction_type, clip_sample, variance_type: 'fixed_small_log' };
        for (const [method, steps, eta] of [['ddpm', undefined, undefined], ['ddpm', 10, undefined], ['ddim', 10, 0], ['ddim', 7, 0.6]] as const) {
          const scheduler = createScheduler(c, { method, steps, eta });
          for (let k = 0; k < scheduler.length; k++) {
            const noise = scheduler.addsNoise(k) ? z : null;
            scheduler.step(k, { sample: x, modelOutput: m, noise, out, x0Out: x0 });
            const k_ = scheduler.coefficients(k);
            for (let i = 0; i < n; i++) {
              let e0 = k_.alpha * x[i]! + k_.beta * m[i]!;
              if (clip_sample) e0 = Math.min(1, Math.max(-1, e0));
              const e = k_.p * e0 + k_.q * x[i]! + k_.s * z[i]!;
              // Relative to the terms' size: α, β reach 1/√ᾱ_T ≈ 10 here.
              const scale = 1 + Math.abs(k_.alpha * x[i]!) + Math.abs(k_.beta * m[i]!);
              expect(Math.abs(e0 - x0[i]!) / scale).toBeLessThan(1e-5);
              expect(Math.abs(e - out[i]!) / scale).toBeLessThan(1e-5);
            }
          }
        }
      }
    }
  });
});

describe('sampleOnDevice (step graph on the session provider; wasm here)', () => {
  it('samples what the core loop samples for DDPM, DDIM with η, v-prediction and guidance', async () => {
    const numClasses = 2;
    const cond = buildLinearModel({ ...base, classTable: testValues((numClasses + 1) * D, 5, -0.3, 0.3), numClasses });
    const uncond = buildLinearModel(base);
    const cases = [
      { bytes: uncond, scheduler: createScheduler(config, { method: 'ddpm', steps: 25 }), opts: { batch: 3 } },
      { bytes: uncond, scheduler: createScheduler(config, { method: 'ddim', steps: 10, eta: 0.7 }), opts: { batch: 2 } },
      {
        bytes: uncond,
        scheduler: createScheduler({ ...config, prediction_type: 'v_prediction', clip_sample: false }, { method: 'ddim', steps: 8 }),
        opts: { batch: 2 },
      },
      { bytes: cond, scheduler: createScheduler(config, { method: 'ddim', steps: 6 }), opts: { batch: 2, classLabels: new Int32Array([1, 0]), guidance: 3 } },
    ];
    for (const { bytes, scheduler, opts } of cases) {
      const model = await OrtWebEpsModel.create(bytes, { executionProviders: ['wasm'], numClasses: bytes === cond ? numClasses : undefined });
      const previews: number[] = [];
      const device = await sampleOnDevice(model, scheduler, {
        ...opts,
        noise: new PhiloxNoise(21),
        callbackEvery: 3,
        onStep: (e) => {
          previews.push(e.index);
        },
      });
      const core = await sample(model, scheduler, { ...opts, noise: new PhiloxNoise(21) });
      expect(device.shape).toEqual(core.shape);
      expect(maxAbsDiff(device.samples, core.samples)).toBeLessThanOrEqual(1e-3);
      expect(previews.at(-1)).toBe(core.timings.steps);
      expect(previews[0]).toBe(3);
      await model.dispose();
    }
  });
});
