#!/usr/bin/env node
// A model card for a model trained with `onnx-ddpm train`: <out-dir>/<name>.md (data, architecture,
// scheduler, steps, epochs, time, backend, final loss, export parity, file size, the command that
// reproduces it), <name>-loss.png (the loss curve of the run's log.jsonl) and <name>-samples.png
// (one row of samples per class for class-conditional image models, a grid for other image models,
// a scatter plot for 2-D models), drawn through the sampler on onnxruntime-node. Each file is
// written to a temporary file and renamed. Runs on the built packages (dist/): `pnpm build` first.
//
//   node scripts/model-card.mjs --run <run-dir> --model <model.onnx> --name <name> [--out-dir models]
//        [--method ddim-50|ddpm-1000|…] [--seed 1] [--guidance <s>] [--per-class 8] [--n 2000]
//        [--workers <n>] [--no-parity] [--copy] [--eval <report.json>]…
//
// Each --eval is an `onnx-ddpm eval --json` report of this very model file (checked by its SHA-256): the card
// gets a "Sample quality" table of all their rows. A model exported before its run's last step gets the
// commands that continue the run from <out-dir>/<name>.ckpt, the compact checkpoint, when that is of its step.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    run: { type: 'string' },
    model: { type: 'string' },
    name: { type: 'string' },
    'out-dir': { type: 'string', default: 'models' },
    method: { type: 'string', default: 'ddim-50' },
    seed: { type: 'string', default: '1' },
    guidance: { type: 'string' },
    'per-class': { type: 'string', default: '8' },
    n: { type: 'string' },
    workers: { type: 'string' },
    'no-parity': { type: 'boolean', default: false },
    copy: { type: 'boolean', default: false },
    eval: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const usage = 'usage: node scripts/model-card.mjs --run <run-dir> --model <model.onnx> --name <name> [--out-dir models] [--method ddim-50] [--seed 1] [--guidance s] [--per-class 8] [--n 2000] [--workers n] [--no-parity] [--copy] [--eval report.json]…';
if (args.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
function fail(message) {
  process.stderr.write(`model-card: ${message}\n`);
  process.exit(1);
}
if (!args.run || !args.model || !args.name) fail(`--run, --model and --name are required\n${usage}`);
if (!/^[A-Za-z0-9._-]+$/.test(args.name)) fail(`--name must be a file-name stem (letters, digits, . _ -), got '${args.name}'`);
const int = (flag, min) => {
  if (args[flag] === undefined) return undefined;
  const v = Number(args[flag]);
  if (!Number.isInteger(v) || v < min) fail(`--${flag} must be an integer ≥ ${min}, got '${args[flag]}'`);
  return v;
};
const seed = int('seed', 0);
const perClass = int('per-class', 1);
const workersFlag = int('workers', 1);
const guidance = args.guidance === undefined ? undefined : Number(args.guidance);
if (guidance !== undefined && !Number.isFinite(guidance)) fail(`--guidance must be a number, got '${args.guidance}'`);

const runDir = resolve(args.run);
const modelPath = resolve(args.model);
const outDir = resolve(args['out-dir']);
const name = args.name;
const shown = (p) => (isAbsolute(p) && !relative(root, p).startsWith('..') ? relative(root, p) || '.' : p);
const log = (line) => process.stderr.write(`${line}\n`);

const sampler = await import('@onnx-ddpm/sampler/node');
const trainer = await import('@onnx-ddpm/trainer/node');
const card = await import('@onnx-ddpm/measure/card');
const { generateSamples, loadToyReference, parseMethods, pointQuality } = await import('@onnx-ddpm/measure/eval');
const { writeFileAtomic } = await import('@onnx-ddpm/trainer/node');

const readJson = async (path, what) => {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    return fail(`cannot read ${what} ${shown(path)}: ${err.code ?? err.message}`);
  }
};

// The model file: its metadata is the authority on what was trained (steps, dataset, weights).
const source = await sampler.loadModelSource(modelPath).catch((err) => fail(`${shown(modelPath)}: ${err.message}`));
const { training, modelConfig } = source;
if (!training || !modelConfig) fail(`${shown(modelPath)} has no onnx_ddpm.training / onnx_ddpm.model_config metadata (not exported by onnx-ddpm?)`);
const steps = training.steps;

// Sample quality: eval reports of this very file.
const modelSha256 = `sha256:${createHash('sha256').update(source.bytes).digest('hex')}`;
const reports = [];
for (const path of args.eval) reports.push(await readJson(resolve(path), 'the eval report'));
try {
  card.checkEvalReports(reports, modelSha256);
} catch (err) {
  fail(`--eval: ${err.message}`);
}

// The run: config.json, log.jsonl and the checkpoint.
const config = await readJson(join(runDir, 'config.json'), 'the run config');
if (config.data?.spec !== training.dataset) {
  fail(`${shown(modelPath)} was trained on ${training.dataset}, the run ${shown(runDir)} on ${config.data?.spec}: not this run's model`);
}
const logText = await readFile(join(runDir, 'log.jsonl'), 'utf8').catch((err) => fail(`cannot read ${shown(join(runDir, 'log.jsonl'))}: ${err.code}`));
const points = card.parseTrainLog(logText, { upToStep: steps });
if (points.length === 0) fail(`${shown(join(runDir, 'log.jsonl'))} has no records up to step ${steps}`);
const logSummary = card.summarizeTrainLog(points);
if (logSummary.step !== steps) log(`note: the log's last record up to step ${steps} is at step ${logSummary.step}; the time and loss are from there`);

const dataset = await trainer.loadDataset(config.data.spec, { ...config.data, seed: config.train.seed, warn: log });
log(`data: ${dataset.spec}: ${dataset.count} items of [${dataset.itemShape.join(', ')}]`);

const backend = training.backend ?? 'unknown';
const workers =
  workersFlag !== undefined
    ? { count: workersFlag, note: 'as given to the card script' }
    : {
        count: backend === 'wasm' && config.model.kind === 'unet' ? 2 : 1,
        note: "the train command's default for this backend and model; the run does not record it",
      };

// Export parity: the model file against the TF.js forward of the checkpoint's weights.
const extra = [];
let parity = { skipped: '--no-parity' };
if (!args['no-parity']) {
  const ckpt = (await trainer.hasCheckpoint(runDir)) ? await trainer.loadCheckpoint(runDir).catch((err) => fail(err.message)) : null;
  if (!ckpt) {
    parity = { skipped: 'the run has no checkpoint' };
  } else if (ckpt.step !== steps) {
    parity = { skipped: `the model is from step ${steps}, the run's checkpoint is at step ${ckpt.step}` };
  } else if (ckpt.metrics.loss !== training.final_loss) {
    // Same step, other weights: e.g. a committed model and a retrain of it with the same command.
    parity = {
      skipped: `this file is not an export of the run's checkpoint: final loss ${training.final_loss} in its metadata, ${ckpt.metrics.loss} in the checkpoint`,
    };
    extra.push(
      `The loss curve is the log of \`${shown(runDir)}\`, another run of the same configuration to the same step ` +
        `(final loss ${ckpt.metrics.loss.toPrecision(8)}; this file's ${training.final_loss.toPrecision(8)}).`,
    );
  } else {
    await trainer.selectBackend('auto', () => {});
    const net = trainer.createModel(ckpt.config.model, ckpt.config.train.seed);
    try {
      net.setWeights(training.weights === 'raw' ? ckpt.state.weights : ckpt.state.ema);
      parity = await trainer.checkExport(source.bytes, net);
    } catch (err) {
      fail(`${shown(modelPath)} does not match the checkpoint of ${shown(runDir)}: ${err.message}`);
    } finally {
      net.dispose();
    }
    log(`export parity: max abs ${parity.maxAbsDiff.toExponential(2)}`);
  }
}

// Samples through the sampler on onnxruntime-node (CPU: the same bytes on every machine).
const model = await sampler.OrtDenoiser.create(source.modelPath, {
  executionProviders: ['cpu'],
  numClasses: source.numClasses,
  sampleShape: source.sampleShape,
  name: basename(source.modelPath),
});
const { sampleShape, numClasses } = model.info;
const isImage = sampleShape.length === 3;
if (!isImage && sampleShape.join(',') !== '2') fail(`the card draws images or 2-D points; this model makes [${sampleShape.join(', ')}]`);
const n = int('n', 1) ?? (isImage ? (numClasses > 0 ? numClasses * perClass : 64) : 2000);
const classLabels = numClasses > 0 ? Int32Array.from({ length: n }, (_, i) => Math.floor(i / perClass) % numClasses) : null;
let spec;
try {
  [spec] = parseMethods(args.method, source.config.num_train_timesteps);
} catch (err) {
  fail(`--method: ${err.message}`);
}
const method = spec.label.toUpperCase();
log(`sampling ${n} ${isImage ? 'images' : 'points'} with ${method}${guidance !== undefined ? `, guidance ${guidance}` : ''}, seed ${seed}`);
let result;
try {
  const { samples } = await generateSamples(model, source.config, spec, { n, batch: n, seed, classLabels, guidance });
  result = { samples, shape: [n, ...sampleShape] };
} finally {
  await model.dispose();
}
const guided = guidance !== undefined ? `, classifier-free guidance ${guidance}` : '';
let samplesPng;
let caption;
if (isImage && classLabels) {
  const columns = perClass;
  const grid = await sampler.encodeImageGrid(result.samples, result.shape, { columns });
  const size = pngSize(grid);
  const rows = Math.ceil(n / columns);
  const rowLabels = Array.from({ length: rows }, (_, r) => {
    const label = classLabels[r * columns];
    return `${label} ${dataset.classNames[label] ?? ''}`.trim();
  });
  samplesPng = await sampler.encodeSvgPng(card.labelledGridSvg({ png: grid, width: size.width, height: size.height, rowLabels }));
  caption = `${n} samples, ${perClass} per class (one row per class), ${method}${guided}, noise seed ${seed} (as \`onnx-ddpm eval --seed ${seed}\`), onnxruntime-node CPU.`;
} else if (isImage) {
  samplesPng = await sampler.encodeImageGrid(result.samples, result.shape);
  caption = `${n} samples, ${method}, noise seed ${seed} (as \`onnx-ddpm eval --seed ${seed}\`), onnxruntime-node CPU.`;
} else {
  caption = `${n} samples (red), ${method}, noise seed ${seed} (as \`onnx-ddpm eval --seed ${seed}\`), onnxruntime-node CPU`;
  let reference;
  if (config.data.spec.startsWith('toy:')) {
    // As `onnx-ddpm eval --methods ddim-50 --n 10000`: 10 000 samples (in batches of 500), noise seed 0.
    const swd = { projections: 1000, seed: 0 };
    const evalN = 10000;
    const ref = await loadToyReference(config.data.spec, evalN, 1, sampleShape, swd);
    reference = ref.first.data.subarray(0, 2 * n);
    const eps = await sampler.OrtDenoiser.create(source.modelPath, { executionProviders: ['cpu'], sampleShape, name: basename(modelPath) });
    let value;
    try {
      const ddim50 = parseMethods('ddim-50', source.config.num_train_timesteps)[0];
      const { samples } = await generateSamples(eps, source.config, ddim50, { n: evalN, batch: 500, seed: 0, classLabels: null });
      value = pointQuality(ref, samples, evalN, swd).swd;
    } finally {
      await eps.dispose();
    }
    caption += `, over ${n} fresh points of the data (blue)`;
    extra.push(
      `Sample quality: sliced Wasserstein-2 distance of ${evalN} DDIM-50 samples to ${evalN} fresh points of \`${config.data.spec}\` ` +
        `(1000 directions, as \`onnx-ddpm eval --model ${name}.onnx --n ${evalN} --methods ddim-50\`): ${value.toFixed(4)}; ` +
        `two independent draws of fresh points: ${ref.dataVsData.toFixed(4)} (the floor at this N).`,
    );
    log(`sliced W2 ${value.toFixed(4)} (data vs data ${ref.dataVsData.toFixed(4)})`);
  }
  caption += '.';
  samplesPng = await sampler.encodeScatterPng(result.samples, { title: `${name}: ${n} samples, ${method}`, ...(reference ? { reference } : {}) });
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png) {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const lossPng = await sampler.encodeSvgPng(
  card.lossCurveSvg(points, { title: `${name}: training loss, ${config.data.spec}, batch ${config.train.batchSize}` }).svg,
);

const outShown = shown(outDir);
// A model from before the run's last step: the compact checkpoint beside it continues the run, if it is of this step.
let unfinished;
if (steps < config.train.steps) {
  const ckptPath = join(outDir, `${name}.ckpt`);
  const ckptStep = await readFile(join(ckptPath, 'checkpoint.json'), 'utf8').then((text) => JSON.parse(text).step, () => undefined);
  if (ckptStep !== undefined && ckptStep !== steps) log(`note: ${shown(ckptPath)} is at step ${ckptStep}, the model at step ${steps}: the card does not offer it`);
  unfinished = { plannedSteps: config.train.steps, compactCheckpoint: ckptStep === steps ? `${outShown}/${name}.ckpt` : null, runOut: shown(runDir) };
}
const cardFlags = [
  `--run ${shown(runDir)}`,
  `--model ${outShown}/${name}.onnx`,
  `--name ${name}`,
  ...(outShown !== 'models' ? [`--out-dir ${outShown}`] : []),
  ...(args.method !== 'ddim-50' ? [`--method ${args.method}`] : []),
  ...(seed !== 1 ? [`--seed ${seed}`] : []),
  ...(guidance !== undefined ? [`--guidance ${guidance}`] : []),
  ...(isImage && perClass !== 8 ? [`--per-class ${perClass}`] : []),
  ...(args.n !== undefined ? [`--n ${n}`] : []),
  ...(workersFlag !== undefined ? [`--workers ${workersFlag}`] : []),
  ...args.eval.map((path) => `--eval ${shown(resolve(path))}`),
];
const markdown = card.modelCardMarkdown({
  name,
  modelBytes: (await stat(modelPath)).size,
  opset: source.summary.opsets.find((o) => o.domain === '')?.version ?? null,
  data: { spec: dataset.spec, count: dataset.count, itemShape: dataset.itemShape, classNames: dataset.classNames, source: dataset.source },
  modelConfig,
  config,
  steps,
  seconds: typeof training.train_seconds === 'number' ? training.train_seconds : logSummary.seconds,
  secondsFrom: typeof training.train_seconds === 'number' ? "the model's metadata, train_seconds" : `log.jsonl's elapsed_s at step ${logSummary.step}`,
  backend,
  workers,
  emaLoss: typeof training.final_ema_loss === 'number' ? training.final_ema_loss : logSummary.emaLoss,
  parity,
  extra,
  samples: { caption },
  quality: card.sampleQualitySection(reports),
  ...(unfinished ? { unfinished } : {}),
  trainCommand: card.trainCommandLine(config, {
    steps,
    out: shown(runDir),
    exportPath: `${outShown}/${name}.onnx`,
    backend,
    ...(workersFlag !== undefined ? { workers: workersFlag } : {}),
    resolveDefaults: (train) => trainer.resolveTrainConfig(dataset, config.data, { train }),
  }),
  cardCommand: `node scripts/model-card.mjs ${cardFlags.join(' ')}`,
  date: new Date().toISOString().slice(0, 10),
});

const outputs = [
  [join(outDir, `${name}-loss.png`), lossPng],
  [join(outDir, `${name}-samples.png`), samplesPng],
  [join(outDir, `${name}.md`), markdown],
];
if (args.copy && resolve(outDir, `${name}.onnx`) !== modelPath) {
  const target = join(outDir, `${name}.onnx`);
  await writeFileAtomic(target, source.bytes);
  log(`copied ${shown(modelPath)} → ${shown(target)}`);
} else if (resolve(outDir, `${name}.onnx`) !== modelPath) {
  log(`note: the card describes ${outShown}/${name}.onnx; copy ${shown(modelPath)} there (or add --copy)`);
}
for (const [path, bytes] of outputs) await writeFileAtomic(path, bytes);
log(`wrote ${outputs.map(([p]) => shown(p)).join(', ')}`);
