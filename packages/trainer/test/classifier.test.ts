import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectModel } from '@onnx-ddpm/onnx';
import { checkModel } from '@onnx-ddpm/onnx/checker';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/node.js';
import {
  CLASSIFIER_METADATA_KEY,
  checkClassifierExport,
  classifierAccuracy,
  defaultClassifierConfig,
  exportClassifierOnnx,
  ImageClassifier,
  trainClassifier,
} from '../src/node.js';
import { SeededRandom, Uint8ImageDataset } from '../src/node.js';
import { ExportCheckError } from '../src/node.js';

let dir: string;
beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-classifier-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 28×28 images where class k is a bright horizontal bar at rows 2k+3..2k+4 on a noisy background. */
function barImages(spec: string, count: number, seed: number): Uint8ImageDataset {
  const rng = new SeededRandom(seed);
  const pixels = new Uint8Array(count * 28 * 28);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = i % 10;
    labels[i] = k;
    for (let p = 0; p < 28 * 28; p++) {
      const row = Math.floor(p / 28);
      const bar = row === 2 * k + 3 || row === 2 * k + 4;
      pixels[i * 784 + p] = bar ? 200 + rng.int(56) : rng.int(80);
    }
  }
  return new Uint8ImageDataset(spec, 'synthetic bars', pixels, [28, 28, 1], labels, Array.from({ length: 10 }, (_, k) => `bar ${k}`));
}

describe('ImageClassifier', () => {
  it('has ≈ 81k parameters by default and returns features and logits', () => {
    const model = new ImageClassifier(defaultClassifierConfig(), 0);
    // convs 160 + 4640 + 9248, hidden 4·4·32·128 + 128, logits 128·10 + 10
    expect(model.parameterCount()).toBe(160 + 4640 + 9248 + 65664 + 1290);
    const out = model.apply(tf.zeros([3, 28, 28, 1]) as tf.Tensor4D);
    expect(out.features.shape).toEqual([3, 128]);
    expect(out.logits.shape).toEqual([3, 10]);
    expect(Math.min(...out.features.dataSync())).toBeGreaterThanOrEqual(0); // after ReLU
    tf.dispose([out.features, out.logits]);
    model.dispose();
  });

  it('rejects an empty or non-integer config', () => {
    expect(() => new ImageClassifier({ ...defaultClassifierConfig(), convChannels: [] }, 0)).toThrow(/convChannels/);
    expect(() => new ImageClassifier({ ...defaultClassifierConfig(), hidden: 1.5 }, 0)).toThrow(/positive integers/);
  });
});

describe('classifier ONNX export', () => {
  it.each([
    ['fashion-mnist size', defaultClassifierConfig()],
    ['3 channels, 16×16, odd sizes', { imageSize: 16, channels: 3, numClasses: 4, convChannels: [8, 6], hidden: 12 }],
  ])('matches TF.js within 1e-4 (%s), passes onnx.checker and carries its metadata', async (name, config) => {
    const model = new ImageClassifier(config, 3);
    const bytes = exportClassifierOnnx(model, { dataset: 'synthetic', test_accuracy: 0.5 });
    const { maxAbsDiff, cases } = await checkClassifierExport(bytes, model);
    expect(cases).toBe(2);
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
    const path = join(dir, `${name.replace(/\W+/g, '-')}.onnx`);
    writeFileSync(path, bytes);
    const checked = await checkModel(path);
    // python3-onnx is part of this machine's setup; elsewhere the checker may be missing.
    if (checked.available || process.env.CI) expect(checked.ok, checked.message).toBe(true);
    const summary = inspectModel(bytes);
    expect(summary.inputs.map((i) => i.name)).toEqual(['image']);
    expect(summary.outputs.map((o) => o.name)).toEqual(['features', 'logits']);
    const meta = JSON.parse(summary.metadata[CLASSIFIER_METADATA_KEY]!);
    expect(meta).toMatchObject({ image_size: config.imageSize, channels: config.channels, hidden: config.hidden, test_accuracy: 0.5 });
    expect(meta.parameter_count).toBe(model.parameterCount());
    model.dispose();
  });

  it('fails the parity check when the weights change after export', async () => {
    const model = new ImageClassifier(defaultClassifierConfig(), 4);
    const bytes = exportClassifierOnnx(model, {});
    const kernel = model.convs[1]!.kernel;
    kernel.assign(tf.mul(kernel, 1.01));
    await expect(checkClassifierExport(bytes, model)).rejects.toBeInstanceOf(ExportCheckError);
    model.dispose();
  });
});

describe('trainClassifier', () => {
  const train = barImages('bars', 400, 1);
  const test = barImages('bars:test', 200, 2);

  it('learns separable classes on wasm and reports test accuracy', async () => {
    const lines: string[] = [];
    const result = await trainClassifier({ train, test, steps: 60, batchSize: 32, lr: 3e-3, seed: 0, logEvery: 20, log: (l) => lines.push(l) });
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(classifierAccuracy(result.model, test)).toBe(result.testAccuracy);
    expect(lines).toHaveLength(3);
    expect(result.finalLoss).toBeLessThan(1);
    result.model.dispose();
  });

  it('is deterministic for a seed', async () => {
    const run = async (seed: number) => {
      const { model } = await trainClassifier({ train, test, steps: 8, batchSize: 16, lr: 1e-3, seed });
      const weights = model.params.map((p) => Array.from(p.dataSync()));
      model.dispose();
      return weights;
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
  });

  it('needs labelled images', async () => {
    const unlabelled = new Uint8ImageDataset('u', 'u', new Uint8Array(784 * 2), [28, 28, 1], null, []);
    await expect(trainClassifier({ train: unlabelled, test, steps: 1, batchSize: 1, lr: 1e-3, seed: 0 })).rejects.toThrow(/labelled images/);
  });
});
