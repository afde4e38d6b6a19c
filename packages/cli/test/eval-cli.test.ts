import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '@onnx-ddpm/sampler';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from '@onnx-ddpm/schedule';
import {
  createModel,
  defaultClassifierConfig,
  exportClassifierOnnx,
  exportOnnx,
  ImageClassifier,
  makeToyDataset,
  type ModelConfig,
  selectBackend,
} from '@onnx-ddpm/trainer/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';
import { frechetDistance, gaussianStats, OrtImageClassifier, slicedWasserstein } from '@onnx-ddpm/measure/eval';

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const schedule: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: 100 };

let dir: string;
let mlpPath: string;
let mlpNoDataPath: string;
let unetPath: string;
let classifierPath: string;
let smallClassifierPath: string;
let idxSpec: string;

/** An untrained ε-model exported by the trainer, with `dataset` in its training metadata. */
function exportModel(name: string, config: ModelConfig, training: Record<string, unknown>): string {
  const model = createModel(config, 1);
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, exportOnnx({ model, schedulerConfig: schedule, training }));
  model.dispose();
  return path;
}

/** IDX files of `count` random 28×28 images with labels i % 10 (the format of Fashion-MNIST's files). */
function writeIdx(count: number): string {
  const images = Buffer.alloc(16 + count * 784);
  images.writeUInt32BE(0x803, 0);
  images.writeUInt32BE(count, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  for (let i = 16; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
  const labels = Buffer.alloc(8 + count);
  labels.writeUInt32BE(0x801, 0);
  labels.writeUInt32BE(count, 4);
  for (let i = 0; i < count; i++) labels[8 + i] = i % 10;
  writeFileSync(join(dir, 'images.idx'), images);
  writeFileSync(join(dir, 'labels.idx'), labels);
  return `idx:${join(dir, 'images.idx')},${join(dir, 'labels.idx')}`;
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run pnpm build first`);
  await selectBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-eval-'));
  idxSpec = writeIdx(60);
  const mlp: ModelConfig = { kind: 'mlp', dataDim: 2, hidden: 16, layers: 1, timeEmbedDim: 8, numClasses: 0 };
  mlpPath = exportModel('mlp', mlp, { dataset: 'toy:s_curve' });
  mlpNoDataPath = exportModel('mlp-no-data', mlp, { steps: 0 });
  const unet: ModelConfig = {
    kind: 'unet',
    imageSize: 28,
    channels: 1,
    baseChannels: 8,
    channelMultipliers: [1],
    numResBlocks: 1,
    attentionResolutions: [],
    groups: 4,
    dropout: 0,
    numClasses: 10,
  };
  unetPath = exportModel('unet', unet, { dataset: idxSpec });
  const classifier = new ImageClassifier(defaultClassifierConfig(), 2);
  classifierPath = join(dir, 'classifier.onnx');
  writeFileSync(classifierPath, exportClassifierOnnx(classifier, { test_accuracy: 0.1 }));
  classifier.dispose();
  const small = new ImageClassifier(defaultClassifierConfig(16, 1, 10), 2);
  smallClassifierPath = join(dir, 'classifier-16.onnx');
  writeFileSync(smallClassifierPath, exportClassifierOnnx(small, {}));
  small.dispose();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  data: string;
  n: number;
  rows: { method: string; steps: number; guidance: number | null; metrics: Record<string, unknown> }[];
  swd?: { dataVsData: number; projections: number; dataSeed: number };
  classifier?: { referenceAccuracy: number; referenceClassAccuracy: (number | null)[]; testAccuracy: number };
  kid?: { subsets: number; subsetSize: number };
  floor?: { data: string; metrics: { fid: number; accuracy: number; classAccuracy: (number | null)[] } } | null;
  ddim50VsDdpm1000: number | null;
  modelSha256: string;
  date: string;
}

describe('onnx-ddpm eval on a 2-D model', () => {
  it('reports the sliced Wasserstein distance of each method and of two halves of fresh toy data', () => {
    const r = cli(['eval', '--model', mlpPath, '--n', '300', '--methods', 'ddim-5,ddpm-20', '--projections', '50', '--ep', 'cpu', '--json']);
    expect(r.stderr).not.toMatch(/warning|error/i);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.data).toBe('toy:s_curve');
    // The report names the exact model file it measured, and when (model cards check both).
    expect(report.modelSha256).toBe(`sha256:${createHash('sha256').update(readFileSync(mlpPath)).digest('hex')}`);
    expect(Math.abs(Date.parse(report.date) - Date.now())).toBeLessThan(10 * 60_000);
    expect(report.rows.map((row) => [row.method, row.steps, row.guidance])).toEqual([
      ['ddim', 5, null],
      ['ddpm', 20, null],
    ]);
    // Independent path: the same samples from `onnx-ddpm sample` (seed 0, one batch) and fresh data with seed 1.
    const npy = join(dir, 'mlp-ddim5.npy');
    expect(cli(['sample', '--model', mlpPath, '--n', '300', '--method', 'ddim', '--steps', '5', '--seed', '0', '--save-npy', npy]).status).toBe(0);
    const samples = decodeNpy(readFileSync(npy)).data as Float32Array;
    const data = new Float32Array(1200);
    makeToyDataset('toy:s_curve', 's_curve', 1, 600).fillBatch(Uint32Array.from({ length: 600 }, (_, i) => i), data, null);
    const first = { data: data.subarray(0, 600), rows: 300, cols: 2 };
    const second = { data: data.subarray(600), rows: 300, cols: 2 };
    const opts = { projections: 50, seed: 0 };
    expect(report.rows[0]!.metrics['swd']).toBeCloseTo(slicedWasserstein({ data: samples, rows: 300, cols: 2 }, first, opts), 12);
    expect(report.swd!.dataVsData).toBeCloseTo(slicedWasserstein(first, second, opts), 12);
    // An untrained model is far from the data; two halves of the data are close.
    expect(report.rows[0]!.metrics['swd'] as number).toBeGreaterThan(3 * report.swd!.dataVsData);
    expect(report.ddim50VsDdpm1000).toBeNull();
  }, 60_000);

  it('prints a table without --json', () => {
    const r = cli(['eval', '--model', mlpPath, '--n', '50', '--methods', 'ddim-3', '--projections', '10', '--ep', 'cpu']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^method +guidance +metrics\nddim-3 +- +SWD \d+\.\d{4} .*\ndata vs data \(two independent halves\): SWD \d+\.\d{4}\n$/);
  }, 60_000);
});

describe('onnx-ddpm eval on a class-conditional image model', () => {
  it('reports FID, KID and class accuracy with and without guidance against the data its metadata names', async () => {
    const args = ['--model', unetPath, '--classifier', classifierPath, '--n', '20', '--methods', 'ddim-2', '--guidance', 'none,3'];
    const r = cli(['eval', ...args, '--kid-subsets', '4', '--kid-subset-size', '10', '--ep', 'cpu', '--json']);
    expect(r.stderr).not.toMatch(/warning|error/i);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.data).toBe(idxSpec);
    expect(report.kid).toEqual({ subsets: 4, subsetSize: 10 });
    expect(report.classifier!.testAccuracy).toBe(0.1);
    expect(report.floor).toBeNull(); // the data is not a named ':test' split, so there is no training split to measure
    expect(report.rows.map((row) => row.guidance)).toEqual([null, 3]);
    for (const row of report.rows) {
      expect(row.metrics['fid'] as number).toBeGreaterThan(0);
      expect((row.metrics['kid'] as { std: number }).std).toBeGreaterThan(0);
      expect(row.metrics['accuracy'] as number).toBeGreaterThanOrEqual(0);
      expect(row.metrics['accuracy'] as number).toBeLessThanOrEqual(1);
    }
    // Independent path: the same unguided samples from `onnx-ddpm sample` (labels 0,1,2,… in turn), classified here.
    const npy = join(dir, 'unet-ddim2.npy');
    expect(cli(['sample', '--model', unetPath, '--n', '20', '--method', 'ddim', '--steps', '2', '--seed', '0', '--save-npy', npy]).status).toBe(0);
    const samples = decodeNpy(readFileSync(npy)).data as Float32Array;
    const classifier = await OrtImageClassifier.create(readFileSync(classifierPath), classifierPath, ['cpu']);
    const ours = await classifier.classify(samples, 20);
    const data = new Float32Array(60 * 784);
    const buf = readFileSync(join(dir, 'images.idx'));
    for (let i = 0; i < data.length; i++) data[i] = buf[16 + i]! / 127.5 - 1;
    const ref = await classifier.classify(data, 60);
    await classifier.dispose();
    const fid = frechetDistance(gaussianStats(ours.features), gaussianStats(ref.features));
    expect(report.rows[0]!.metrics['fid']).toBeCloseTo(fid, 6);
    const correct = ours.predictions.filter((p, i) => p === i % 10).length;
    expect(report.rows[0]!.metrics['accuracy']).toBe(correct / 20);
    // Per class: samples i and i + 10 were drawn for label i.
    const perClass = Array.from({ length: 10 }, (_, label) => [label, label + 10].filter((i) => ours.predictions[i] === label).length / 2);
    expect(report.rows[0]!.metrics['classAccuracy']).toEqual(perClass);
    const lowest = perClass.map((a, label) => ({ a, label })).sort((x, y) => x.a - y.a || x.label - y.label).slice(0, 3);
    expect(r.stderr).toContain(`(lowest: ${lowest.map(({ a, label }) => `class ${label} ${(100 * a).toFixed(1)}%`).join(', ')})`);
    const refCorrect = ref.predictions.filter((p, i) => p === i % 10).length;
    expect(report.classifier!.referenceAccuracy).toBe(refCorrect / 60);
    // The classifier per class on the real reference images (image i has label i mod 10), and their lowest in the reference line.
    const refPerClass = Array.from({ length: 10 }, (_, label) => ref.predictions.filter((p, i) => i % 10 === label && p === label).length / 6);
    expect(report.classifier!.referenceClassAccuracy).toEqual(refPerClass);
    const refLowest = refPerClass.map((a, label) => ({ a, label })).sort((x, y) => x.a - y.a || x.label - y.label).slice(0, 3);
    expect(r.stderr).toMatch(
      new RegExp(`^reference: 60 images of .*; classifier accuracy on them [\\d.]+% \\(lowest: ${refLowest.map(({ a, label }) => `class ${label} ${(100 * a).toFixed(1)}%`).join(', ')}\\)$`, 'm'),
    );
  }, 120_000);
});

describe('onnx-ddpm eval against Fashion-MNIST', requires(TEST_DEPS.fashionMnist), () => {
  it(
    'measures n random training images as the floor next to the samples, with the committed classifier',
    () => {
      const r = cli(['eval', '--model', unetPath, '--data', 'fashion-mnist:test', '--n', '50', '--methods', 'ddim-1', '--guidance', 'none', '--kid-subsets', '3', '--ep', 'cpu', '--json']);
      expect(r.stderr).not.toMatch(/warning|error/i);
      expect(r.status).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.classifier!.testAccuracy).toBeGreaterThanOrEqual(0.9);
      expect(report.classifier!.referenceAccuracy).toBeCloseTo(report.classifier!.testAccuracy, 3);
      expect(report.floor!.data).toBe('fashion-mnist');
      expect(report.floor!.metrics.accuracy).toBeGreaterThan(0.8);
      expect(report.floor!.metrics.classAccuracy).toHaveLength(10);
      // Real training images are far closer to the test set than an untrained model's samples.
      expect(report.floor!.metrics.fid).toBeLessThan((report.rows[0]!.metrics['fid'] as number) / 3);
    },
    120_000,
  );
});

describe('onnx-ddpm eval bad input', () => {
  const cases: [string, number, string[], RegExp][] = [
    ['no --model', 2, ['--n', '10'], /--model is required/],
    ['--n below 2', 2, ['--model', 'MLP', '--n', '1'], /--n must be an integer ≥ 2/],
    ['a method without steps', 2, ['--model', 'MLP', '--methods', 'ddim'], /--methods: method 'ddim' is not <ddpm\|ddim>-<steps>/],
    ['more steps than T (the default ddpm-1000 on T = 100)', 2, ['--model', 'MLP', '--methods', 'ddpm-1000'], /'ddpm-1000': steps must be in \[1, 100\]/],
    ['a seed too large for the per-batch noise keys', 2, ['--model', 'MLP', '--seed', String(2 ** 40)], /--seed must be an integer in \[0, 2\^40\)/],
    ['a guidance that is not a number', 2, ['--model', 'UNET', '--guidance', 'none,strong'], /--guidance: 'strong' is neither a number nor 'none'/],
    ['an unknown execution provider', 2, ['--model', 'MLP', '--ep', 'tpu'], /--ep/],
    ['a missing model', 1, ['--model', '/nonexistent/model.onnx'], /nonexistent/],
    ['a model that names no data', 2, ['--model', 'NODATA'], /does not name its training data .*: give --data/],
    ['image data for a 2-D model', 1, ['--model', 'MLP', '--data', 'fashion-mnist'], /compared with toy data/],
    ['a missing classifier', 1, ['--model', 'UNET', '--classifier', '/nonexistent/c.onnx'], /cannot read --classifier .*ENOENT/],
    ['a classifier of another image size', 1, ['--model', 'UNET', '--classifier', 'SMALL'], /classifier takes images of \[1, 16, 16\]; the model makes \[1, 28, 28\]/],
    ['an ε-model as the classifier', 1, ['--model', 'UNET', '--classifier', 'UNET'], /no 'onnx_ddpm.classifier' metadata/],
  ];
  it.each(cases)('%s: exit %i, one line on stderr, nothing on stdout', (_, code, args, message) => {
    const paths: Record<string, string> = { MLP: mlpPath, NODATA: mlpNoDataPath, UNET: unetPath, SMALL: smallClassifierPath };
    const r = cli(['eval', '--methods', 'ddim-2', '--ep', 'cpu', ...args.map((a) => paths[a] ?? a), '--json']);
    expect(r.status).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
