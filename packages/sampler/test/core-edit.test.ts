// The editing samplers on onnxruntime-node (a small linear ε-model): img2img's strength limits,
// inpainting's exact kept region with resampling, inversion/reconstruction plumbing, slerp latents.
import { createScheduler, DEFAULT_SCHEDULER_CONFIG, ddim, PhiloxNoise, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { img2imgStart, interpolate, interpolateLatents, invert, OrtDenoiser, reconstruct, sample } from '../src/node/index.js';
import { buildLinearModel, gaussianDataCoefficients, type LinearModelSpec, testValues } from './node-test-models.js';

const T = 100;
const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T };
const spec: LinearModelSpec = { itemShape: [1, 4, 4], a: gaussianDataCoefficients(T, config.beta_start, config.beta_end, 0.5), w: testValues(16, 1), T };
const batch = 3;
const size = batch * 16;
const x0 = testValues(size, 9, -0.9, 0.9);
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

let model: OrtDenoiser;
beforeAll(async () => {
  model = await OrtDenoiser.create(buildLinearModel(spec), { executionProviders: ['cpu'], name: 'linear' });
});
afterAll(async () => {
  await model.dispose();
});

describe('img2img (from x0 at a step)', () => {
  for (const method of ['ddpm', 'ddim'] as const) {
    it(`${method}: step 0 = sampling from noise (bitwise), step K = x0 exactly, between = neither`, async () => {
      const scheduler = createScheduler(config, { method, steps: 10 });
      const noise = new PhiloxNoise(5);
      const plain = await sample(model, scheduler, { batch, noise });
      const full = await sample(model, scheduler, { batch, noise, from: { x0, step: 0 } });
      expect(bytes(full.samples).equals(bytes(plain.samples))).toBe(true);
      const none = await sample(model, scheduler, { batch, noise, from: { x0, step: 10 } });
      expect(bytes(none.samples).equals(bytes(x0))).toBe(true);
      const half = await sample(model, scheduler, { batch, noise, from: { x0, step: 5 } });
      expect(half.samples.some((v, i) => v !== x0[i] && v !== plain.samples[i])).toBe(true);
    });
  }
});

it('img2imgStart maps strength s to the last ⌊s·K⌋ steps and refuses s outside [0, 1]', () => {
  const scheduler = ddim(config, { steps: 10 });
  expect([1, 0.55, 0.5, 0].map((s) => (img2imgStart(scheduler, x0, s) as { step: number }).step)).toEqual([0, 5, 5, 10]);
  expect(() => img2imgStart(scheduler, x0, 1.5)).toThrow('strength must be in [0, 1], got 1.5');
  expect(() => img2imgStart(scheduler, x0, Number.NaN)).toThrow(/got NaN/);
});

describe('inpainting', () => {
  const mask = Float32Array.from({ length: size }, (_, i) => (i % 16 < 8 ? 1 : 0));

  for (const [method, resample] of [
    ['ddpm', 1],
    ['ddpm', 3],
    ['ddim', 2],
  ] as const) {
    it(`${method}, resample ${resample}: the kept region of the final sample is the input exactly`, async () => {
      const scheduler = createScheduler(config, { method, steps: 8 });
      const { samples } = await sample(model, scheduler, { batch, noise: new PhiloxNoise(2), inpaint: { x0, mask, resample } });
      for (let i = 0; i < size; i++) if (mask[i] === 1) expect(samples[i]).toBe(x0[i]);
      expect(samples.some((v, i) => mask[i] === 0 && v !== x0[i])).toBe(true);
    });
  }

  it('refuses a mask of the wrong size or with values outside [0, 1]', async () => {
    const scheduler = ddim(config, { steps: 4 });
    const noise = new PhiloxNoise(2);
    await expect(sample(model, scheduler, { batch, noise, inpaint: { x0, mask: mask.subarray(1) } })).rejects.toThrow(/mask has 47 values, the batch has 48/);
    await expect(sample(model, scheduler, { batch, noise, inpaint: { x0, mask: mask.map((m) => m * 2) } })).rejects.toThrow(/mask values must be in \[0, 1\], got 2/);
  });
});

describe('DDIM inversion and reconstruction', () => {
  it('inverts without noise to latents that DDIM maps back close to the images', async () => {
    const latents = await invert(model, config, x0, { steps: 50 });
    expect(latents.shape).toEqual([batch, 1, 4, 4]);
    expect(latents.samples.some((v, i) => Math.abs(v - x0[i]!) > 0.3)).toBe(true);
    const back = await reconstruct(model, config, latents.samples, { steps: 50 });
    let maxErr = 0;
    for (let i = 0; i < size; i++) maxErr = Math.max(maxErr, Math.abs(back.samples[i]! - x0[i]!));
    expect(maxErr).toBeLessThan(0.05);
    await expect(invert(model, config, x0.subarray(1), { steps: 5 })).rejects.toThrow(/47 values are not a whole number of items of \[1, 4, 4\]/);
  });

  it('interpolation latents run from a to b along the slerp path', () => {
    const a = testValues(16, 3);
    const b = testValues(16, 4);
    const path = interpolateLatents(a, b, 5);
    expect(Array.from(path.subarray(0, 16))).toEqual(Array.from(a));
    for (let i = 0; i < 16; i++) expect(path[64 + i]).toBeCloseTo(b[i]!, 6);
    expect(() => interpolateLatents(a, b, 1)).toThrow(/frames must be an integer ≥ 2/);
  });

  it('interpolate: seed ends give the seeds’ own DDIM samples; image ends are inverted and reconstructed; phases are said', async () => {
    const phases: string[] = [];
    const seeds = await interpolate(model, config, { seed: 1 }, { seed: 2 }, { frames: 3, steps: 5, items: 1, onPhase: (p) => phases.push(p) });
    expect(seeds.shape).toEqual([3, 1, 4, 4]);
    expect(phases).toEqual(['frames']);
    const own = await sample(model, ddim(config, { steps: 5 }), { batch: 1, noise: new PhiloxNoise(2) });
    expect(bytes(seeds.samples.subarray(32, 48)).equals(bytes(own.samples))).toBe(true);
    phases.length = 0;
    const [a, b] = [x0.subarray(0, 16), x0.subarray(16, 32)];
    const images = await interpolate(model, config, { images: a }, { images: b }, { frames: 3, steps: 50, items: 1, onPhase: (p) => phases.push(p) });
    expect(phases).toEqual(['invert-from', 'invert-to', 'frames']);
    for (let i = 0; i < 16; i++) expect(Math.abs(images.samples[i]! - a[i]!)).toBeLessThan(0.05);
    for (let i = 0; i < 16; i++) expect(Math.abs(images.samples[32 + i]! - b[i]!)).toBeLessThan(0.05);
    await expect(interpolate(model, config, { images: x0 }, { seed: 1 }, { frames: 3, steps: 5, items: 1 })).rejects.toThrow(/has 48 values; one frame is 1 × 16/);
  });
});
