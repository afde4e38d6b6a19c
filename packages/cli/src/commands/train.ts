import { join } from 'node:path';
import type { Checkpoint, ConfigOverrides, DataConfig, Dataset, RunFolder, TrainConfig, TrainOptions, TrainSettings } from '@onnx-ddpm/trainer/node';
import { CliError, type Command, intFlag, numberFlag, type OptionValues, readFlagFile, requiredString, stringFlag, stringOption, UsageError } from '../command.js';
import { writeFileAtomic } from '@onnx-ddpm/trainer/files';
import { checkOutputPath } from '../output.js';

type Trainer = typeof import('@onnx-ddpm/trainer/node');

const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
type BackendFlag = (typeof BACKENDS)[number];

/** Errors of the trainer that describe bad input or a damaged file: one line, exit code 1. */
export function trainerUserError(trainer: Trainer, err: unknown): CliError | null {
  const known = [
    trainer.DatasetError,
    trainer.TrainConfigError,
    trainer.ModelConfigError,
    trainer.CheckpointError,
    trainer.ExportCheckError,
    trainer.RunFolderBusyError,
    trainer.RunFolderError,
    trainer.TrainingDivergedError,
    trainer.BackendUnavailableError,
  ];
  if (known.some((k) => err instanceof k)) return new CliError((err as Error).message);
  if (err instanceof Error && err.name === 'SchedulerConfigError') return new CliError(err.message);
  // A file-system error (EACCES, ENOSPC, …) names its path: show it as one line.
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && 'path' in err) {
    return new CliError(err.message);
  }
  return null;
}

/** `--opset`, checked against the exporter's range before any work. */
export function opsetFlagInRange(trainer: Trainer, opset: number): number {
  if (opset < trainer.MIN_EXPORT_OPSET || opset > trainer.MAX_EXPORT_OPSET) {
    throw new UsageError(`--opset must be in [${trainer.MIN_EXPORT_OPSET}, ${trainer.MAX_EXPORT_OPSET}], got ${opset}`);
  }
  return opset;
}

export function parseBackend(value: string | undefined): BackendFlag {
  if ((BACKENDS as readonly string[]).includes(value ?? '')) return value as BackendFlag;
  throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${value}'`);
}

async function readConfigFile(value: string): Promise<ConfigOverrides> {
  const text = value.trimStart().startsWith('{') ? value : (await readFlagFile('config', value)).toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return parsed as ConfigOverrides;
  } catch (err) {
    throw new CliError(`--config ${value}: ${(err as Error).message} (expected {"model": {…}, "scheduler": {…}, "train": {…}})`);
  }
}

/** Flags that change the run's math: only allowed when starting a run. */
const NEW_RUN_ONLY = ['batch', 'lr', 'seed', 'ema', 'config', 'class-cond', 'no-class-cond', 'channels', 'image-size', 'skip-bad', 'num-classes'];

function settingsFromFlags(values: OptionValues): Partial<TrainSettings> {
  const s: Partial<TrainSettings> = {};
  const set = <K extends keyof TrainSettings>(key: K, value: TrainSettings[K] | undefined) => {
    if (value !== undefined) s[key] = value;
  };
  set('steps', intFlag(values, 'steps', 1));
  set('batchSize', intFlag(values, 'batch', 1));
  set('lr', numberFlag(values, 'lr'));
  set('seed', intFlag(values, 'seed', 0, 2 ** 32 - 1));
  set('emaDecay', numberFlag(values, 'ema'));
  set('checkpointEvery', intFlag(values, 'checkpoint-every', 1));
  set('logEvery', intFlag(values, 'log-every', 1));
  set('previewEvery', intFlag(values, 'preview-every', 0));
  if (values['class-cond'] === true && values['no-class-cond'] === true) {
    throw new UsageError('--class-cond and --no-class-cond contradict each other');
  }
  if (values['class-cond'] === true) s.classConditional = true;
  if (values['no-class-cond'] === true) s.classConditional = false;
  return s;
}

function dataConfigFromFlags(spec: string, values: OptionValues): DataConfig {
  const data: DataConfig = { spec };
  const channels = intFlag(values, 'channels', 1);
  if (channels !== undefined) {
    if (channels !== 1 && channels !== 3) throw new UsageError(`--channels must be 1 or 3, got ${channels}`);
    data.channels = channels;
  }
  const size = intFlag(values, 'image-size', 1);
  if (size !== undefined) data.imageSize = size;
  if (values['skip-bad'] === true) data.skipBad = true;
  const numClasses = intFlag(values, 'num-classes', 1);
  if (numClasses !== undefined) {
    if (!spec.startsWith('idx:')) throw new UsageError(`--num-classes applies to idx: data with a labels file; ${spec} knows its classes`);
    data.numClasses = numClasses;
  }
  return data;
}

/** A new run's config (defaults, --config, flags), or the checkpoint's with the flags that may change on resume. */
function runConfig(
  trainer: Trainer,
  checkpoint: Checkpoint | undefined,
  dataset: Dataset,
  dataConfig: DataConfig,
  fileOverrides: ConfigOverrides,
  flagSettings: Partial<TrainSettings>,
): TrainConfig {
  if (!checkpoint) return trainer.resolveTrainConfig(dataset, dataConfig, { ...fileOverrides, train: { ...fileOverrides.train, ...flagSettings } });
  const config = structuredClone(checkpoint.config);
  for (const key of ['steps', 'checkpointEvery', 'logEvery', 'previewEvery'] as const) {
    if (flagSettings[key] !== undefined) config.train[key] = flagSettings[key];
  }
  if (config.train.steps < checkpoint.step) {
    throw new UsageError(`--steps ${config.train.steps} is below the checkpoint's step ${checkpoint.step}`);
  }
  return config;
}

/** `--workers` data-parallel worker threads, or undefined for one local replica (train()'s default). */
function engineFor(trainer: Trainer, backend: string, config: TrainConfig, workers: number | undefined, log: (line: string) => void): TrainOptions['createEngine'] {
  // Default: two data-parallel workers for images on wasm (single-threaded in Node); a toy MLP step is
  // so short that the workers' messaging costs more than it saves, so toys use one local replica.
  const workerCount = workers ?? (backend === 'wasm' && config.model.kind === 'unet' ? 2 : 1);
  if (workerCount > 1 && (backend === 'tensorflow' || backend === 'webgpu')) {
    throw new UsageError(`--workers > 1 needs the wasm or cpu backend (${backend} uses the whole device by itself)`);
  }
  const workerBackend = backend === 'cpu' ? 'cpu' : 'wasm';
  log(`engine: ${workerCount > 1 ? `${workerCount} data-parallel workers on ${workerBackend}` : `one replica on ${backend}`}`);
  if (workerCount === 1) return undefined;
  return (init) => trainer.createWorkerEngine({ ...init, workers: workerCount, backend: workerBackend });
}

/** NHWC → NCHW, the layout of the sampler's image encoders. */
function toNchw(samples: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  const [n, h, w, c] = shape as [number, number, number, number];
  const out = new Float32Array(samples.length);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[((i * c + k) * h + y) * w + x] = samples[((i * h + y) * w + x) * c + k]!;
  return { data: out, shape: [n, c, h, w] };
}

async function writePreview(runDir: string, step: number, samples: Float32Array, shape: number[]): Promise<string> {
  const { encodeImageGrid, encodeScatterPng } = await import('@onnx-ddpm/sampler/node');
  const path = join(runDir, 'previews', `step-${String(step).padStart(7, '0')}.png`);
  const png =
    shape.length === 4
      ? await encodeImageGrid(toNchw(samples, shape).data, toNchw(samples, shape).shape)
      : await encodeScatterPng(samples);
  await writeFileAtomic(path, png);
  return path;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train an ε-model with TensorFlow.js (checkpoints, logs, previews; --export for ONNX)',
  options: {
    data: stringOption('<spec>', 'fashion-mnist[:test] | mnist[:test] | idx:<images>[,<labels>] | folder:<dir> | toy:s_curve|swiss_roll|moons|gmm'),
    out: stringOption('<run-dir>', 'run folder: checkpoint/, log.jsonl, config.json, previews/'),
    export: stringOption('<model.onnx>', 'after training, export the EMA weights to ONNX (parity-checked)'),
    steps: stringOption('<n>', 'total optimiser steps (toys: 2000, images: 20000)'),
    batch: stringOption('<b>', 'batch size (toys: 256, images: 64)'),
    lr: stringOption('<rate>', 'peak Adam learning rate (toys: 2e-3, images: 2e-4)'),
    backend: stringOption('<name>', 'TF.js backend: auto, tensorflow, webgpu, wasm or cpu', 'auto'),
    workers: stringOption('<n>', 'data-parallel worker threads (default: 2 for images on wasm, else 1)'),
    resume: { type: 'boolean', description: "continue the run in --out from its checkpoint (with its saved config)" },
    'resume-from': stringOption('<checkpoint>', 'continue another checkpoint (e.g. a committed compact one) in a new --out, with its config and log.jsonl'),
    config: stringOption('<json>', 'JSON file (or inline JSON) {"model": {…}, "scheduler": {…}, "train": {…}} over the defaults'),
    seed: stringOption('<int>', 'seed of weights, toy data and every batch (default 0)'),
    ema: stringOption('<decay>', 'EMA decay of the weights (toys: 0.995, images: 0.9999)'),
    'checkpoint-every': stringOption('<k>', 'save a checkpoint every k steps (toys: 500, images: 1000)'),
    'log-every': stringOption('<n>', 'append to log.jsonl every n steps (toys: 100, images: 50)'),
    'preview-every': stringOption('<k>', 'write previews/step-<k>.png every k steps, 0 = never (default 1000)'),
    'skip-bad': { type: 'boolean', description: 'skip unreadable images in a folder dataset (with one warning)' },
    'class-cond': { type: 'boolean', description: 'condition on the labels (default when the data has labels)' },
    'no-class-cond': { type: 'boolean', description: 'train unconditionally even on labelled data' },
    channels: stringOption('<1|3>', 'folder datasets: grayscale or RGB (default 3)'),
    'image-size': stringOption('<px>', 'folder datasets: resize to px×px (default 32)'),
    'num-classes': stringOption('<k>', 'idx: labels: the number of classes (default: the largest label + 1, with a notice)'),
    opset: stringOption('<n>', 'ONNX opset of --export', '17'),
  },
  async run({ values }) {
    const runDir = requiredString(values, 'out');
    const backendPref = parseBackend(stringFlag(values, 'backend'));
    const workers = intFlag(values, 'workers', 1, 256);
    const exportPath = stringFlag(values, 'export');
    const opsetFlag = intFlag(values, 'opset', 1)!;
    const resumeFrom = stringFlag(values, 'resume-from');
    if (values.resume === true && resumeFrom) throw new UsageError('give --resume (this --out) or --resume-from (another checkpoint), not both');
    const dataFlag = stringFlag(values, 'data');
    const flagSettings = settingsFromFlags(values);
    if (values.resume === true || resumeFrom !== undefined) {
      const given = NEW_RUN_ONLY.filter((f) => values[f] !== undefined && values[f] !== false);
      if (given.length > 0) {
        const resumeFlag = resumeFrom ? '--resume-from' : '--resume';
        throw new UsageError(`${resumeFlag} continues with the run's saved config; --${given[0]} cannot be changed (start a new --out instead)`);
      }
    } else if (!dataFlag) {
      throw new UsageError('--data is required (or --resume to continue the run in --out)');
    }
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const trainer = await import('@onnx-ddpm/trainer/node');
    const opset = opsetFlagInRange(trainer, opsetFlag);
    await checkOutputPath('out', runDir, 'folder');
    if (exportPath) await checkOutputPath('export', exportPath, 'file');
    let run: RunFolder | undefined;
    try {
      // Locked from before the checkpoint is read until the run ends: one train per run folder.
      run = await trainer.openRunFolder({ out: runDir, resume: values.resume === true, resumeFrom, log });
      const { checkpoint } = run;
      if (checkpoint && dataFlag && dataFlag !== checkpoint.config.data.spec) {
        throw new UsageError(`--data ${dataFlag} differs from the run's dataset ${checkpoint.config.data.spec}`);
      }
      const dataConfig = checkpoint?.config.data ?? dataConfigFromFlags(dataFlag!, values);
      const choice = await trainer.selectBackend(backendPref, log);
      const fileOverrides = !checkpoint && stringFlag(values, 'config') ? await readConfigFile(stringFlag(values, 'config')!) : {};
      const seed = checkpoint?.config.train.seed ?? flagSettings.seed ?? fileOverrides.train?.seed ?? 0;
      const dataset = await trainer.loadDataset(dataConfig.spec, { ...dataConfig, seed, warn: log });
      log(`data: ${dataset.spec}: ${dataset.count} items of [${dataset.itemShape.join(', ')}]${dataset.numClasses ? `, ${dataset.numClasses} classes` : ''} (${dataset.source})`);

      const config = runConfig(trainer, checkpoint, dataset, dataConfig, fileOverrides, flagSettings);
      const m = config.model;
      log(
        `model: ${m.kind === 'unet' ? `U-Net ${m.imageSize}×${m.imageSize}×${m.channels}, base ${m.baseChannels}` : `MLP ${m.layers}×${m.hidden}`}` +
          `${m.numClasses ? `, ${m.numClasses} classes` : ''}; ${config.train.steps} steps of batch ${config.train.batchSize}, lr ${config.train.lr}, EMA ${config.train.emaDecay}`,
      );
      const createEngine = engineFor(trainer, choice.name, config, workers, log);
      const start = checkpoint?.step ?? 0;
      let result: Awaited<ReturnType<Trainer['train']>> | undefined;
      if (start < config.train.steps) {
        if (checkpoint) log(`resuming ${runDir} at step ${start}`);
        result = await trainer.train({
          config,
          runDir,
          dataset,
          ...(checkpoint ? { resume: checkpoint } : {}),
          backendName: choice.name,
          ...(createEngine ? { createEngine } : {}),
          log,
          onPreview: async (step, samples, shape) => {
            const path = await writePreview(runDir, step, samples, shape);
            log(`preview: ${path}`);
          },
        });
        const speed = (result.step - start) / result.seconds;
        log(
          `${result.interrupted ? 'stopped' : 'trained'} at step ${result.step}/${config.train.steps} in ${result.seconds.toFixed(1)} s ` +
            `(${speed.toFixed(1)} it/s); loss ${result.loss.toFixed(4)}, running mean ${result.emaLoss.toFixed(4)}; checkpoint: ${join(runDir, 'checkpoint')}`,
        );
        if (result.interrupted) {
          log(`continue with: onnx-ddpm train --out ${runDir} --resume`);
          return 130;
        }
      } else {
        log(`${runDir} is already at step ${start} of ${config.train.steps}; nothing to train`);
      }
      if (exportPath) {
        // The state just saved (or, with nothing to train, the one resumed): not read back from disk.
        const exported = await trainer.exportCheckpoint(result?.checkpoint ?? checkpoint!, exportPath, { opset });
        log(
          `exported ${exported.path} (${exported.bytes} bytes, ${exported.parameterCount} parameters, EMA weights); ` +
            `ONNX Runtime vs TF.js max abs diff ${exported.maxAbsDiff.toExponential(2)}`,
        );
      }
      return 0;
    } catch (err) {
      throw trainerUserError(trainer, err) ?? err;
    } finally {
      await run?.release();
    }
  },
};
