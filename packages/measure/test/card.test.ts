// Model cards (scripts/model-card.mjs): log.jsonl parsing, the loss-curve SVG, the labelled sample
// grid, the reproduce command and the card's markdown.
import { type ConfigOverrides, makeToyDataset, resolveTrainConfig, type TrainConfig, type TrainSettings, Uint8ImageDataset } from '@onnx-ddpm/trainer/node';
import { describe, expect, it } from 'vitest';
import type { EvalReport } from '../src/eval/report.js';
import {
  type CardFacts,
  checkEvalReports,
  gridRowCentre,
  labelledGridSvg,
  lossCurveSvg,
  modelCardMarkdown,
  parseTrainLog,
  sampleQualitySection,
  summarizeTrainLog,
  type TrainLogPoint,
  trainCommandLine,
} from '../src/card/index.js';
import { formatDuration } from '../src/cost/format.js';

const record = (step: number, loss: number, ema = loss, elapsed = step / 10): TrainLogPoint => ({
  step,
  loss,
  ema_loss: ema,
  grad_norm: 1,
  lr: 1e-3,
  img_per_s: 100 + step,
  elapsed_s: elapsed,
});
const jsonl = (records: TrainLogPoint[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('parseTrainLog', () => {
  it('reads every record, keeps the re-logged steps of a resume from an earlier checkpoint, ignores an unfinished last line', () => {
    const text =
      jsonl([record(20, 0.9), record(40, 0.8), record(60, 0.7)]) +
      '\n' + // a blank line
      jsonl([record(40, 0.5), record(60, 0.4), record(80, 0.3)]) +
      '{"step":100,"loss":0.2'; // being written
    const points = parseTrainLog(text);
    expect(points.map((p) => p.step)).toEqual([20, 40, 60, 80]);
    expect(points.map((p) => p.loss)).toEqual([0.9, 0.5, 0.4, 0.3]);
    expect(parseTrainLog(text, { upToStep: 60 }).map((p) => p.step)).toEqual([20, 40, 60]);
  });

  it('names the line of a bad record', () => {
    expect(() => parseTrainLog(`${jsonl([record(1, 1)])}not json\n${jsonl([record(2, 1)])}`)).toThrow(/line 2: not JSON/);
    expect(() => parseTrainLog('{"step":1,"loss":"x"}\n')).toThrow(/line 1: .*'loss'/);
  });

  it('summarizes the last record: step, seconds, running-mean loss, median speed', () => {
    const s = summarizeTrainLog([record(100, 0.5, 0.6, 10), record(200, 0.4, 0.45, 21), record(300, 0.3, 0.35, 33)]);
    expect(s).toEqual({ step: 300, seconds: 33, emaLoss: 0.35, itemsPerSecond: 300 });
    expect(() => summarizeTrainLog([])).toThrow(/no records/);
  });

  it('formats durations', () => {
    expect(formatDuration(41.4)).toBe('41 s');
    expect(formatDuration(725)).toBe('12 min 5 s');
    expect(formatDuration(5 * 3600 + 2 * 60 + 10)).toBe('5 h 02 min');
  });
});

/** The polyline's points and the circles' centres of an SVG. */
function shapes(svg: string) {
  const poly = /<polyline[^>]* points="([^"]+)"/.exec(svg)![1]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
  const dots = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="[\d.]+"\/>/g)].map((m) => [Number(m[1]), Number(m[2])] as [number, number]);
  return { poly, dots };
}

describe('lossCurveSvg', () => {
  it('draws the running mean as a line and each logged loss as a dot, through the axes it labels', () => {
    const points = [100, 200, 300, 400, 500].map((s, i) => record(s, [0.5, 0.42, 0.4, 0.33, 0.31][i]!, [0.6, 0.45, 0.4, 0.36, 0.33][i]!));
    const curve = lossCurveSvg(points, { title: 'toy & <co>' });
    expect(curve.logScale).toBe(false); // 0.6 / 0.31 < 3
    const { poly, dots } = shapes(curve.svg);
    expect(poly).toHaveLength(5);
    expect(dots.slice(0, 5)).toHaveLength(5);
    points.forEach((p, i) => {
      expect(poly[i]![0]).toBeCloseTo(curve.x(p.step), 1);
      expect(poly[i]![1]).toBeCloseTo(curve.y(p.ema_loss), 1);
      expect(dots[i]![1]).toBeCloseTo(curve.y(p.loss), 1);
    });
    // Steps evenly spaced on screen, step 0 at the left edge; a larger loss is higher up (smaller y).
    expect(curve.x(0)).toBeCloseTo(curve.plot.left, 6);
    expect(poly[2]![0] - poly[1]![0]).toBeCloseTo(poly[1]![0] - poly[0]![0], 1);
    expect(curve.y(0.6)).toBeLessThan(curve.y(0.31));
    for (const [x, y] of [...poly, ...dots.slice(0, 5)]) {
      expect(x).toBeGreaterThanOrEqual(curve.plot.left);
      expect(x).toBeLessThanOrEqual(curve.plot.right);
      expect(y).toBeGreaterThanOrEqual(curve.plot.top);
      expect(y).toBeLessThanOrEqual(curve.plot.bottom);
    }
    // Tick labels on both axes, axis names, the title escaped.
    expect(curve.svg).toMatch(/>500<\/text>/);
    expect(curve.svg).toMatch(/>0\.4<\/text>/);
    expect(curve.svg).toMatch(/>step<\/text>/);
    expect(curve.svg).toMatch(/>loss<\/text>/);
    expect(curve.svg).toContain('toy &#38; &#60;co&#62;');
  });

  it('uses a log scale for a loss that falls by more than 3×: an exponential decay is a straight line', () => {
    const points = Array.from({ length: 50 }, (_, i) => (i + 1) * 200).map((s) => record(s, 10 ** (-s / 5000)));
    const curve = lossCurveSvg(points);
    expect(curve.logScale).toBe(true);
    const { poly } = shapes(curve.svg);
    const slope = (poly[49]![1] - poly[0]![1]) / (poly[49]![0] - poly[0]![0]);
    for (const [x, y] of poly) expect(y).toBeCloseTo(poly[0]![1] + slope * (x - poly[0]![0]), 0);
    expect(curve.svg).toMatch(/>loss \(log scale\)<\/text>/);
    expect(curve.svg).toMatch(/>0\.2<\/text>/); // a 1-2-5 tick inside [0.16, 1]
    expect(curve.svg).toMatch(/>10k<\/text>/);
    expect(lossCurveSvg(points, { logScale: false }).logScale).toBe(false);
  });

  it('leaves out non-finite losses and refuses a log without any', () => {
    const { poly } = shapes(lossCurveSvg([record(1, 0.5), record(2, Number.NaN), record(3, 0.4)]).svg);
    expect(poly).toHaveLength(2);
    expect(() => lossCurveSvg([record(1, Number.NaN)])).toThrow(/no finite losses/);
  });
});

describe('labelledGridSvg', () => {
  it('puts each class name beside the middle of its row of the grid', () => {
    // encodeImageGrid: 10 rows of 28-px images at scale 2 with 2-px gaps → 10·56 + 11·2 = 582 px.
    expect(gridRowCentre(0, 10, 582, 2)).toBeCloseTo(30, 6);
    expect(gridRowCentre(9, 10, 582, 2)).toBeCloseTo(2 + 9 * 58 + 28, 6);
    const svg = labelledGridSvg({ png: new Uint8Array([1, 2, 3]), width: 466, height: 582, rowLabels: ['0 T-shirt/top', '1 Trouser'] });
    expect(svg).toContain('>0 T-shirt/top</text>');
    expect(svg).toContain('href="data:image/png;base64,AQID"');
    const ys = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys).toEqual([gridRowCentre(0, 2, 582, 2) + 5, gridRowCentre(1, 2, 582, 2) + 5].map((y) => Number(y.toFixed(1))));
  });
});

const fashionLike = () => new Uint8ImageDataset('fashion-mnist', 'test', new Uint8Array(2 * 28 * 28), [28, 28, 1], Int32Array.from([0, 1]), ['a', 'b']);

/** Reads a command line made by trainCommandLine back into train()'s inputs. */
function parseCommand(line: string): { steps?: number; overrides: ConfigOverrides; classConditional?: boolean } {
  const config = /--config '([^']+)'/.exec(line);
  const overrides = (config ? JSON.parse(config[1]!) : {}) as ConfigOverrides;
  const train: Partial<TrainSettings> = { ...overrides.train };
  const flags: [string, keyof TrainSettings][] = [
    ['--steps', 'steps'],
    ['--batch', 'batchSize'],
    ['--lr', 'lr'],
    ['--seed', 'seed'],
    ['--ema', 'emaDecay'],
    ['--checkpoint-every', 'checkpointEvery'],
    ['--log-every', 'logEvery'],
    ['--preview-every', 'previewEvery'],
  ];
  for (const [flag, key] of flags) {
    const m = new RegExp(`${flag} (\\S+)`).exec(line);
    if (m) (train as Record<string, unknown>)[key] = Number(m[1]);
  }
  if (line.includes('--no-class-cond')) train.classConditional = false;
  return { overrides: { ...overrides, train } };
}

describe('trainCommandLine', () => {
  const options = (dataset: Parameters<typeof resolveTrainConfig>[0], config: TrainConfig, steps = config.train.steps) => ({
    steps,
    out: 'runs/x',
    exportPath: 'models/x.onnx',
    backend: 'wasm',
    resolveDefaults: (train: Partial<TrainSettings>) => resolveTrainConfig(dataset, config.data, { train }),
  });

  it('is the bare command for a default run', () => {
    const toy = makeToyDataset('toy:s_curve', 's_curve', 0, 100);
    const config = resolveTrainConfig(toy, { spec: 'toy:s_curve' });
    expect(trainCommandLine(config, options(toy, config))).toBe(
      'pnpm onnx-ddpm train --data toy:s_curve --out runs/x --backend wasm --export models/x.onnx',
    );
  });

  it('gives flags and --config for what differs, and the command resolves to the same configuration', () => {
    const data = fashionLike();
    const overrides: ConfigOverrides = {
      model: { baseChannels: 16 },
      scheduler: { beta_schedule: 'squaredcos_cap_v2' },
      train: { steps: 20000, lr: 5e-4, emaDecay: 0.999, warmupSteps: 200, checkpointEvery: 200, logEvery: 20, labelDropout: 0.2 },
    };
    const config = resolveTrainConfig(data, { spec: 'fashion-mnist' }, overrides);
    // Exported at step 1200 of a 20000-step run.
    const line = trainCommandLine(config, options(data, config, 1200));
    expect(line).toMatch(/^pnpm onnx-ddpm train --data fashion-mnist --out runs\/x --steps 1200 /);
    expect(line).toContain('--lr 0.0005');
    expect(line).toContain('--ema 0.999');
    expect(line).toMatch(/--backend wasm --export models\/x\.onnx$/);
    const parsed = parseCommand(line);
    expect(parsed.overrides.train).toMatchObject({ warmupSteps: 200, labelDropout: 0.2 });
    expect(resolveTrainConfig(data, { spec: 'fashion-mnist' }, parsed.overrides)).toEqual({ ...config, train: { ...config.train, steps: 1200 } });
  });

  it('says --no-class-cond for an unconditional model of labelled data', () => {
    const data = fashionLike();
    const config = resolveTrainConfig(data, { spec: 'fashion-mnist' }, { train: { classConditional: false } });
    const line = trainCommandLine(config, options(data, config));
    expect(line).toContain('--no-class-cond');
    expect(line).not.toContain('--config');
  });
});

describe('modelCardMarkdown', () => {
  const toy = makeToyDataset('toy:s_curve', 's_curve', 0, 10000);
  const config = resolveTrainConfig(toy, { spec: 'toy:s_curve' });
  const facts: CardFacts = {
    name: 's-curve',
    modelBytes: 286656,
    opset: 17,
    data: { spec: 'toy:s_curve', count: 10000, itemShape: [2], classNames: [], source: 'generated' },
    modelConfig: { model_type: 'mlp', data_dim: 2, num_classes: 0, hidden: 128, layers: 3, time_embed_dim: 32, activation: 'silu', parameter_count: 70914 },
    config,
    steps: 2000,
    seconds: 41.3,
    secondsFrom: "the model's metadata, train_seconds",
    backend: 'wasm',
    workers: { count: 1, note: 'default' },
    emaLoss: 0.22648,
    parity: { maxAbsDiff: 5.96e-7, cases: 4 },
    extra: ['Sample quality: SWD 0.03'],
    samples: { caption: '2000 samples, DDIM-50' },
    trainCommand: 'pnpm onnx-ddpm train --data toy:s_curve --out runs/s-curve --backend wasm --export models/s-curve.onnx',
    cardCommand: 'node scripts/model-card.mjs --run runs/s-curve --model models/s-curve.onnx --name s-curve',
    date: '2026-11-27',
  };

  it('holds data, model, scheduler, steps, epochs, time, backend, loss, parity, size, both PNGs and the commands', () => {
    const md = modelCardMarkdown(facts);
    expect(md.startsWith('# s-curve.onnx\n')).toBe(true);
    for (const text of [
      '![Training loss of s-curve](s-curve-loss.png)',
      '![Samples of s-curve](s-curve-samples.png)',
      '- Data: `toy:s_curve`, 10,000 2-D points',
      '3 hidden layers of 128',
      '70,914 parameters',
      'T = 1000, linear β from 0.0001 to 0.02, epsilon prediction',
      '2,000 steps of batch 256 (51.2 epochs)',
      'warm-up over 100 steps',
      "41 s of training (the model's metadata, train_seconds; ≈ 12,397 points/s)", // 2000 × 256 / 41.3
      'TF.js wasm backend, 1 replica',
      'Final loss: 0.2265',
      '286,656 bytes (0.27 MiB), opset 17',
      'max abs 5.96e-7 over 4 batches',
      '- Sample quality: SWD 0.03',
      `\`\`\`sh\n${facts.trainCommand}\n${facts.cardCommand}\n\`\`\``,
    ]) {
      expect(md).toContain(text);
    }
  });

  const unet: CardFacts = {
    ...facts,
    name: 'fashion-mnist',
    data: { ...facts.data, count: 60000, itemShape: [28, 28, 1], classNames: ['T-shirt/top', 'Trouser'] },
    modelConfig: { model_type: 'unet', sample_size: 28, in_channels: 1, num_classes: 2, base_channels: 32, channel_multipliers: [1, 2, 2], num_res_blocks: 2, attention_resolutions: [7], norm_num_groups: 8, dropout: 0.1, time_embed_dim: 128, activation: 'silu', parameter_count: 1680000 },
    steps: 1200,
    seconds: 3 * 3600 + 60,
  };

  it('names the classes of labelled data and says why parity was not measured', () => {
    const md = modelCardMarkdown({ ...unet, parity: { skipped: 'the checkpoint is at step 1400' } });
    for (const text of [
      '60,000 images of 28×28×1',
      '2 classes: 0 T-shirt/top, 1 Trouser',
      'attention at 7×7',
      '`class_labels` int64 [N]',
      '(5.12 epochs)', // 1200 × 256 / 60000
      '3 h 01 min of training',
      'not measured: the checkpoint is at step 1400.',
    ]) {
      expect(md).toContain(text);
    }
  });

  it('goes into the card before the reproduce commands; an unfinished run gets the commands that continue it', () => {
    const md = modelCardMarkdown({
      ...unet,
      quality: ['## Sample quality', '', '| a table |', ''],
      unfinished: { plannedSteps: 20000, compactCheckpoint: 'models/fashion-mnist.ckpt', runOut: 'runs/fmnist' },
    });
    expect(md.indexOf('## Sample quality')).toBeGreaterThan(md.indexOf('- Export parity'));
    expect(md.indexOf('## Sample quality')).toBeLessThan(md.indexOf('Reproduce the model'));
    expect(md).toContain('The model is from step 1,200 of a 20,000-step run. To continue it on any machine, from the compact checkpoint [fashion-mnist.ckpt/](fashion-mnist.ckpt)');
    expect(md).toContain(
      '```sh\npnpm onnx-ddpm train --resume-from models/fashion-mnist.ckpt --out runs/fmnist --steps 20000\n' +
        'pnpm onnx-ddpm export --checkpoint runs/fmnist --out models/fashion-mnist.onnx --compact-checkpoint models/fashion-mnist.ckpt\n```',
    );
    const noCkpt = modelCardMarkdown({ ...unet, unfinished: { plannedSteps: 20000, compactCheckpoint: null, runOut: 'runs/fmnist' } });
    expect(noCkpt).toContain('The model is from step 1,200 of a 20,000-step run. Its run folder');
    expect(modelCardMarkdown(unet)).not.toContain('-step run');
  });
});

describe('the sample-quality section', () => {
  const sha = `sha256:${'ab'.repeat(32)}`;
  const quality = (fid: number, accuracy: number) => ({ fid, kid: { mean: fid / 4, std: 0.5, subsets: 100, subsetSize: 1000 }, accuracy });
  const report = (n: number, rows: [string, number, number | null, number, number][], floorFid: number): EvalReport => ({
    model: '/x/models/fashion-mnist.onnx',
    modelSha256: sha,
    date: '2026-12-02T00:40:00.000Z',
    executionProvider: 'cpu',
    n,
    batch: 100,
    seed: 0,
    data: 'fashion-mnist:test',
    classifier: { path: '/x/models/fashion-mnist-classifier.onnx', testAccuracy: 0.9105, referenceAccuracy: 0.9105, features: 128 },
    kid: { subsets: 100, subsetSize: n },
    floor: { data: 'fashion-mnist', metrics: quality(floorFid, 0.953) },
    rows: rows.map(([method, steps, guidance, fid, accuracy]) => ({ method, steps, guidance, samplingSeconds: 754, metrics: quality(fid, accuracy) })),
    ddim50VsDdpm1000: null,
  });

  it('has a row per setting with FID ÷ the floor at its own N, and a floor row per N', () => {
    const lines = sampleQualitySection([
      report(1000, [['ddim', 50, null, 8.4, 0.862], ['ddim', 50, 2, 5.1, 0.975]], 4.2),
      report(200, [['ddpm', 1000, null, 20, 0.8]], 16),
    ]);
    expect(lines[0]).toBe('## Sample quality');
    expect(lines).toContain('| DDIM-50 | none | 1000 | 8.40 | 2.00× | 2.10 ± 0.50 | 86.2% | 12 min 34 s | 2026-12-02 |');
    expect(lines).toContain('| DDIM-50 | 2 | 1000 | 5.10 | 1.21× | 1.27 ± 0.50 | 97.5% | 12 min 34 s | 2026-12-02 |');
    expect(lines).toContain('| DDPM-1000 | none | 200 | 20.00 | 1.25× | 5.00 ± 0.50 | 80.0% | 12 min 34 s | 2026-12-02 |');
    const floors = lines.filter((l) => l.includes('(the floor)'));
    expect(floors).toEqual([
      '| 200 real `fashion-mnist` training images (the floor) | – | 200 | 16.00 | 1.00× | 4.00 ± 0.50 | 95.3% | – | 2026-12-02 |',
      '| 1000 real `fashion-mnist` training images (the floor) | – | 1000 | 4.20 | 1.00× | 1.05 ± 0.50 | 95.3% | – | 2026-12-02 |',
    ]);
    expect(lines.join('\n')).toContain('features of fashion-mnist-classifier.onnx against `fashion-mnist:test`');
    expect(lines.join('\n')).not.toContain("DDPM-1000's"); // DDIM-50 and DDPM-1000 were run at different N
    expect(sampleQualitySection([])).toEqual([]);
  });

  it('compares unguided DDIM-50 with DDPM-1000 at the same N, across reports', () => {
    const lines = sampleQualitySection([
      report(1000, [['ddim', 50, null, 4.6, 0.855], ['ddim', 50, 2, 15.5, 0.962]], 3.4),
      report(1000, [['ddpm', 1000, null, 4.0, 0.87]], 3.4),
    ]);
    expect(lines).toContain("At N = 1000, unguided DDIM-50's FID is 15.0% above DDPM-1000's.");
    const better = sampleQualitySection([report(1000, [['ddim', 50, null, 3.6, 0.86], ['ddpm', 1000, null, 4.0, 0.87]], 3.4)]);
    expect(better).toContain("At N = 1000, unguided DDIM-50's FID is 10.0% below DDPM-1000's.");
  });

  it('refuses a report of another model file, against other data or with another classifier', () => {
    const ok = report(1000, [['ddim', 50, null, 8.4, 0.86]], 4.2);
    expect(() => checkEvalReports([ok], sha)).not.toThrow();
    expect(() => checkEvalReports([ok], `sha256:${'cd'.repeat(32)}`)).toThrow(/the eval report of fashion-mnist.onnx from 2026-12-02 is of another model file/);
    expect(() => checkEvalReports([ok, { ...ok, data: 'fashion-mnist:train' }], sha)).toThrow(/against different data: fashion-mnist:test and fashion-mnist:train/);
    expect(() => checkEvalReports([ok, { ...ok, classifier: { ...ok.classifier!, path: '/y/other.onnx' } }], sha)).toThrow(/different classifiers: fashion-mnist-classifier.onnx and other.onnx/);
  });
});
