import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/node.js';
import { loadDataset, Uint8ImageDataset } from '../src/node.js';
import {
  BatchSampler,
  emaDecayAt,
  learningRateAt,
  resolveTrainConfig,
  type TrainLogRecord,
  train,
} from '../src/node.js';
import { scratchFolder } from './helpers.js';

const tmp = scratchFolder('train');
beforeAll(async () => {
  await selectBackend('wasm');
});

/** 20 labelled 4×4 grayscale images. */
function tinyImages(): Uint8ImageDataset {
  const pixels = Uint8Array.from({ length: 20 * 16 }, (_, i) => (i * 37) % 256);
  const labels = Int32Array.from({ length: 20 }, (_, i) => i % 3);
  return new Uint8ImageDataset('tiny', 'memory', pixels, [4, 4, 1], labels, ['a', 'b', 'c']);
}

const plan = { batchSize: 8, seed: 5, numTimesteps: 1000, antithetic: true, classConditional: true, labelDropout: 0.25 };

describe('batch sampling', () => {
  it('is a function of (seed, step) only', () => {
    const a = new BatchSampler(tinyImages(), plan);
    const b = new BatchSampler(tinyImages(), plan);
    const late = a.batch(7);
    a.batch(0);
    expect(b.batch(7)).toEqual(late);
    expect(a.batch(8).t).not.toEqual(late.t);
    const other = new BatchSampler(tinyImages(), { ...plan, seed: 6 }).batch(7);
    expect(other.eps).not.toEqual(late.eps);
    expect(late.shape).toEqual([8, 4, 4, 1]);
    expect(late.eps.length).toBe(8 * 16);
  });

  it('visits every item once per epoch and pairs t with T − 1 − t', () => {
    const s = new BatchSampler(tinyImages(), { ...plan, batchSize: 5 });
    const epoch = [0, 1, 2, 3].flatMap((step) => Array.from(s.indices(step)));
    expect(epoch.slice().sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const t = s.batch(3).t;
    for (let i = 1; i < 5; i += 2) expect(t[i]).toBe(999 - t[i - 1]!);
    for (const v of t) expect(v >= 0 && v < 1000).toBe(true);
  });

  it('drops labels to "no label" (= numClasses) at about the requested rate', () => {
    const s = new BatchSampler(tinyImages(), { ...plan, batchSize: 20 });
    let dropped = 0;
    let kept = 0;
    for (let step = 0; step < 50; step++) {
      const batch = s.batch(step);
      const idx = s.indices(step);
      batch.labels!.forEach((l, i) => {
        if (l === 3) dropped++;
        else {
          expect(l).toBe(idx[i]! % 3);
          kept++;
        }
      });
    }
    expect(dropped / (dropped + kept)).toBeGreaterThan(0.18);
    expect(dropped / (dropped + kept)).toBeLessThan(0.32);
  });

  it('refuses class-conditional batches from unlabelled data', async () => {
    const toy = await loadDataset('toy:moons', { toyCount: 100 });
    expect(() => new BatchSampler(toy, plan)).toThrow(/needs a labelled dataset; toy:moons has no labels/);
  });
});

describe('schedules of the optimiser', () => {
  it('warms the learning rate up linearly and ramps the EMA decay in', () => {
    expect(learningRateAt({ lr: 1e-3, warmupSteps: 100 }, 0)).toBeCloseTo(1e-5, 12);
    expect(learningRateAt({ lr: 1e-3, warmupSteps: 100 }, 49)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt({ lr: 1e-3, warmupSteps: 100 }, 5000)).toBe(1e-3);
    expect(learningRateAt({ lr: 1e-3, warmupSteps: 0 }, 0)).toBe(1e-3);
    expect(emaDecayAt(0.9999, 0)).toBeCloseTo(0.1, 12);
    expect(emaDecayAt(0.9999, 1e6)).toBe(0.9999);
  });

  it('warms up over the first 5% of the run unless the config sets warmupSteps', async () => {
    const dataset = await loadDataset('toy:moons', { seed: 1, toyCount: 100 });
    const spec = { spec: 'toy:moons' };
    expect(resolveTrainConfig(dataset, spec).train.warmupSteps).toBe(100); // 2000 default steps
    expect(resolveTrainConfig(dataset, spec, { train: { steps: 300 } }).train.warmupSteps).toBe(15);
    expect(resolveTrainConfig(dataset, spec, { train: { steps: 300, warmupSteps: 40 } }).train.warmupSteps).toBe(40);
    expect(resolveTrainConfig(tinyImages(), { spec: 'tiny' }).train.warmupSteps).toBe(1000); // 20000 default steps
  });
});

describe('training a toy', () => {
  it('lowers the loss over a few hundred steps and the EMA samples look like the data', async () => {
    const dataset = await loadDataset('toy:moons', { seed: 1, toyCount: 2000 });
    const config = resolveTrainConfig(
      dataset,
      { spec: 'toy:moons' },
      {
        model: { hidden: 64, layers: 2 },
        train: { steps: 400, batchSize: 128, logEvery: 50, checkpointEvery: 200, previewEvery: 400, previewCount: 256, previewSteps: 20, seed: 1 },
      },
    );
    const records: TrainLogRecord[] = [];
    const previews: { step: number; samples: Float32Array; shape: number[] }[] = [];
    const runDir = join(tmp, 'moons');
    const result = await train({
      config,
      runDir,
      dataset,
      backendName: 'wasm',
      progress: null,
      log: () => {},
      onLog: (r) => records.push(r),
      onPreview: (step, samples, shape) => {
        previews.push({ step, samples, shape });
      },
    });
    expect(result.step).toBe(400);
    expect(records.map((r) => r.step)).toEqual([50, 100, 150, 200, 250, 300, 350, 400]);
    const first = records[0]!.ema_loss;
    const last = records.at(-1)!.ema_loss;
    expect(last).toBeLessThan(0.8 * first);
    expect(last).toBeLessThan(0.75);
    for (const r of records) {
      expect(r.grad_norm).toBeGreaterThan(0);
      expect(r.img_per_s).toBeGreaterThan(0);
    }
    const lines = readFileSync(join(runDir, 'log.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ step: 400, lr: config.train.lr });
    // The preview: 256 points with the data's unit variance (noise alone gives ≈1 too, but not the mean |x| of moons).
    expect(previews).toHaveLength(1);
    expect(previews[0]!.shape).toEqual([256, 2]);
    const s = previews[0]!.samples;
    let variance = 0;
    for (const v of s) variance += v * v;
    variance /= s.length;
    expect(variance).toBeGreaterThan(0.5);
    expect(variance).toBeLessThan(1.6);
  });
});
