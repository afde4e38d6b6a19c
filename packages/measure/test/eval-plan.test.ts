import { OrtDenoiser } from '@onnx-ddpm/sampler/node';
import { DEFAULT_SCHEDULER_CONFIG } from '@onnx-ddpm/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLinearModel, testValues } from '../../sampler/test/node-test-models.js';
import { generateSamples } from '../src/eval/generate.js';
import { parseMethods } from '../src/eval/methods.js';
import { formatEvalPlan, planEval } from '../src/eval/plan.js';

const T = DEFAULT_SCHEDULER_CONFIG.num_train_timesteps;
const ITEM = [1, 6, 6];
let model: OrtDenoiser;

beforeAll(async () => {
  const bytes = buildLinearModel({
    itemShape: ITEM,
    a: testValues(T, 1, 0.2, 0.6),
    w: testValues(36, 2),
    T,
    classTable: testValues(3 * 36, 3),
    numClasses: 2,
  });
  model = await OrtDenoiser.create(bytes, { executionProviders: ['cpu'], numClasses: 2 });
});
afterAll(async () => {
  await model.dispose();
});

const methods = parseMethods('ddim-4,ddpm-10', T);

describe('eval samples', () => {
  it('do not depend on the batch size (one Philox stream at each sample offset)', async () => {
    const opts = { n: 11, seed: 3, classLabels: Int32Array.from({ length: 11 }, (_, i) => i % 2) };
    const whole = await generateSamples(model, DEFAULT_SCHEDULER_CONFIG, methods[0]!, { ...opts, batch: 11 });
    const pieces = await generateSamples(model, DEFAULT_SCHEDULER_CONFIG, methods[0]!, { ...opts, batch: 4 });
    expect(pieces.samples).toEqual(whole.samples);
  });
});

describe('planEval', () => {
  it('chooses the largest batch that fits in half of the free memory, at most n', async () => {
    const roomy = await planEval(model, { n: 1000, methods, guidances: [undefined], freeBytes: 2 ** 40 });
    expect(roomy).toMatchObject({ batch: 1000, auto: true });
    expect(roomy.bytesPerItem).toBeGreaterThanOrEqual(3 * 4 * 36);
    // Room for at most 20 items at the smallest possible cost per item (the RSS growth measured is noisy,
    // so the batch is checked against this plan's own measurement).
    const freeBytes = 40 * 4 * 4 * 36;
    const tight = await planEval(model, { n: 1000, methods, guidances: [undefined], freeBytes });
    expect(tight.batch).toBe(Math.max(1, Math.floor((0.5 * freeBytes) / tight.bytesPerItem)));
    expect(tight.batch).toBeLessThanOrEqual(20);
    const none = await planEval(model, { n: 1000, methods, guidances: [undefined], freeBytes: 0 });
    expect(none.batch).toBe(1);
  });

  it('keeps a given batch and estimates time from the steps of every setting (guided: two calls per step)', async () => {
    const plain = await planEval(model, { n: 100, methods, guidances: [undefined], batch: 7 });
    expect(plain).toMatchObject({ batch: 7, auto: false });
    expect(plain.msPerItem).toBeGreaterThan(0);
    expect(plain.seconds).toBeCloseTo(((4 + 10) * 100 * plain.msPerItem) / 1000, 9);
    const guided = await planEval(model, { n: 100, methods, guidances: [undefined, 2], batch: 7 });
    expect(guided.seconds).toBeCloseTo(((4 + 10) * 100 * guided.msPerItem * 3) / 1000, 9);
    expect(guided.peakBytes).toBeGreaterThan(7 * guided.bytesPerItem);
    expect(formatEvalPlan(guided, 4, 100)).toMatch(/^plan: batch 7 \(as given\); sampling 4 settings × 100 samples ≈ \d+ s, memory ≈ \d+\.\d GiB$/);
  });
});
