import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectModel } from '@onnx-ddpm/onnx';
import type { OrtDenoiser } from '@onnx-ddpm/sampler/node';
import { CliError, type Command, intFlag, type OptionValues, readFlagFile, requiredString, stringFlag, stringOption, UsageError } from '../command.js';
import { epOption, executionProvidersFlag, loadNodeSampler, methodFlag, modelOption, samplerUserError } from '../sampler-flags.js';
import {
  type BenchModel,
  benchInProcess,
  formatBenchMarkdown,
  formatBenchTable,
  formatInProcessBench,
  runBenchTable,
  SAMPLING_RUNTIME_IDS,
  type SamplingOptions,
  type SamplingRuntimeId,
  TRAIN_CONFIG_IDS,
  type TrainConfigId,
  type TrainingOptions,
} from '@onnx-ddpm/measure/bench';
import { initialWeightsModel, type ModelUnderTest, modelFromFile } from '@onnx-ddpm/measure/parity';


function parseBatches(text: string): number[] {
  const batches = text.split(',').map((s) => {
    const n = Number(s.trim());
    if (s.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`--batch must be a comma-separated list of positive integers, got '${text}'`);
    return n;
  });
  return [...new Set(batches)];
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmark sampling speed and loop overhead',
  options: {
    model: modelOption('.onnx file, or a diffusers-style folder'),
    batch: stringOption('<n,n,...>', 'batch sizes to time (default: 1,16; with --runtimes 1,16,64)'),
    steps: stringOption('<k>', 'reverse steps timed per batch size', '20'),
    method: stringOption('<ddpm|ddim>', 'sampler whose loop is timed', 'ddim'),
    ep: epOption('cpu'),
    compare: stringOption('<file.onnx>', 'a second model of the same item shape (e.g. a torch export) timed the same way'),
    'scheduler-config': stringOption('<file.json>', "scheduler config overriding the model's metadata"),
    'matmul-size': stringOption('<n>', 'n of the n×n×n MatMul that measures this machine', '512'),
    json: { type: 'boolean', description: 'print the report as JSON on stdout' },
    runtimes: stringOption(
      '<list>',
      `the benchmark table: sampling on these parity runtimes, each in a child process (all, none, or ${SAMPLING_RUNTIME_IDS.join(', ')}); the others are listed as skipped`,
    ),
    'slow-steps': stringOption('<k>', 'with --runtimes: reverse steps on the wasm and WebGPU runtimes (slow here: no GPU)', '2'),
    'max-run-s': stringOption(
      '<s>',
      'with --runtimes: a runtime stops before a batch size whose run is projected (from the last one) to take longer',
      '60',
    ),
    train: stringOption('<list>', `the benchmark table: training img/s of these TF.js configurations (all, none, or ${TRAIN_CONFIG_IDS.join(', ')})`),
    'train-batch': stringOption('<n>', 'with --train: batch size (cpu uses --cpu-batch)', '64'),
    'cpu-batch': stringOption('<n>', 'with --train: batch size of the slow cpu backend (one step, no warm-up)', '8'),
    'train-steps': stringOption('<k>', 'with --train: timed steps per configuration', '2'),
    'train-warmup': stringOption('<k>', 'with --train: untimed steps first', '1'),
    'train-image-size': stringOption('<n>', 'with --train: side of the default n×n×1 U-Net (10 classes) that is trained', '28'),
    markdown: { type: 'boolean', description: 'with --runtimes/--train: print the README block (<!-- bench --> … <!-- /bench -->) with date and machine' },
  },
  async run({ values }) {
    if (values.runtimes !== undefined || values.train !== undefined) return runTable(values);
    if (values.markdown === true) throw new UsageError('--markdown applies to the benchmark table (--runtimes or --train)');
    const modelPath = requiredString(values, 'model');
    const batches = parseBatches(stringFlag(values, 'batch') ?? '1,16');
    const steps = intFlag(values, 'steps', 1)!;
    const method = methodFlag(values);
    const matmulSize = intFlag(values, 'matmul-size', 1)!;
    const comparePath = stringFlag(values, 'compare');
    const json = values.json === true;

    const sampler = await loadNodeSampler();
    const executionProviders = executionProvidersFlag(sampler, values);
    const warn = (message: string) => process.stderr.write(`onnx-ddpm bench: warning: ${message}\n`);
    const opened: OrtDenoiser[] = [];
    try {
      const source = await sampler.loadModelSource(modelPath, { schedulerConfigPath: stringFlag(values, 'scheduler-config') });
      for (const w of source.warnings) warn(w);
      const main = await sampler.OrtDenoiser.create(source.bytes, {
        executionProviders,
        numClasses: source.numClasses,
        sampleShape: source.sampleShape,
        name: basename(source.modelPath),
        onWarning: warn,
      });
      opened.push(main);
      const models: BenchModel[] = [{ path: source.modelPath, model: main, bytes: source.bytes }];
      if (comparePath !== undefined) {
        const bytes = new Uint8Array(await readFlagFile('compare', comparePath));
        // The compared export is sampled with the first model's schedule, item shape and classes.
        const want = main.info.sampleShape;
        let declared: (number | string)[] | undefined;
        try {
          declared = inspectModel(bytes).inputs.find((i) => i.name === 'sample')?.shape.slice(1);
        } catch (err) {
          throw new CliError(`--compare ${comparePath} is not a readable ONNX model: ${(err as Error).message}`);
        }
        if (declared?.every((d) => typeof d === 'number') && declared.join() !== want.join()) {
          throw new CliError(`--compare ${comparePath} takes items of [${declared.join(', ')}], ${modelPath} takes [${want.join(', ')}]`);
        }
        const other = await sampler.OrtDenoiser.create(bytes, {
          executionProviders,
          numClasses: main.info.numClasses,
          sampleShape: want,
          name: basename(comparePath),
          onWarning: warn,
        });
        opened.push(other);
        models.push({ path: comparePath, model: other, bytes });
      }

      const report = await benchInProcess(sampler, models, source.config, {
        method,
        steps,
        batches,
        matmulSize,
        onBatch: (path, batch) => json || process.stderr.write(`timing ${basename(path)} at batch ${batch} ...\n`),
      });
      process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatInProcessBench(report));
      return 0;
    } catch (err) {
      throw samplerUserError(sampler, err) ?? err;
    } finally {
      for (const m of opened) await m.dispose();
    }
  },
};

/** `all`, `none` or a comma-separated list of `known` ids, for `--<flag>`. */
function parseIdList<T extends string>(flag: string, text: string, known: readonly T[]): T[] {
  const choose = `choose from all, none, ${known.join(', ')}`;
  if (text.trim() === 'all') return [...known];
  if (text.trim() === 'none') return [];
  const ids = text.split(',').map((s) => s.trim());
  for (const id of ids) {
    if (!(known as readonly string[]).includes(id)) throw new UsageError(`--${flag}: unknown ${id === '' ? 'empty entry' : `'${id}'`} in '${text}' (${choose})`);
  }
  return [...new Set(ids as T[])];
}

/** models/fashion-mnist.onnx of this repository (dist/bench → the repository root). */
const FASHION_MNIST_MODEL = fileURLToPath(new URL('../../../../models/fashion-mnist.onnx', import.meta.url));

/** --model, else the repository's Fashion-MNIST model, else the default 28×28×1 U-Net with seed-0 weights. */
async function tableModel(path: string | undefined): Promise<ModelUnderTest> {
  const sampler = await loadNodeSampler();
  try {
    if (path !== undefined) return await modelFromFile(path);
    if (existsSync(FASHION_MNIST_MODEL)) return await modelFromFile(FASHION_MNIST_MODEL);
    const trainer = await import('@onnx-ddpm/trainer/node');
    return await initialWeightsModel(trainer.defaultUNetConfig(28, 1, 10), 'default Fashion-MNIST U-Net', 'onnx-ddpm bench; speed does not depend on the weights');
  } catch (err) {
    throw samplerUserError(sampler, err) ?? err;
  }
}

/** `bench --runtimes … --train …`: the one-run table (bench/table.ts). */
async function runTable(values: OptionValues): Promise<number> {
  for (const flag of ['compare', 'ep', 'scheduler-config']) {
    if (values[flag] !== undefined && values[flag] !== (benchCommand.options[flag]?.default ?? undefined)) {
      throw new UsageError(`--${flag} applies to the in-process bench, not to the table (--runtimes/--train)`);
    }
  }
  const json = values.json === true;
  const markdown = values.markdown === true;
  if (json && markdown) throw new UsageError('--json and --markdown exclude each other');
  const runtimes = parseIdList<SamplingRuntimeId>('runtimes', stringFlag(values, 'runtimes') ?? 'none', SAMPLING_RUNTIME_IDS);
  const train = parseIdList<TrainConfigId>('train', stringFlag(values, 'train') ?? 'none', TRAIN_CONFIG_IDS);
  const batches = parseBatches(stringFlag(values, 'batch') ?? '1,16,64').sort((a, b) => a - b);
  const steps = intFlag(values, 'steps', 1)!;
  const slowSteps = intFlag(values, 'slow-steps', 1)!;
  const maxRunSeconds = intFlag(values, 'max-run-s', 1)!;
  const method = methodFlag(values);
  const matmulSize = intFlag(values, 'matmul-size', 1)!;
  const training: TrainingOptions | null =
    train.length === 0
      ? null
      : {
          selected: train,
          batch: intFlag(values, 'train-batch', 1)!,
          cpuBatch: intFlag(values, 'cpu-batch', 1)!,
          steps: intFlag(values, 'train-steps', 1)!,
          warmup: intFlag(values, 'train-warmup', 0)!,
          imageSize: intFlag(values, 'train-image-size', 2)!,
          channels: 1,
          numClasses: 10,
        };
  if (runtimes.length === 0 && training === null) throw new UsageError('nothing to run: --runtimes none and --train none');
  const log = (line: string) => process.stderr.write(`onnx-ddpm bench: ${line}\n`);

  let sampling: SamplingOptions | null = null;
  if (runtimes.length > 0) {
    const model = await tableModel(stringFlag(values, 'model'));
    for (const w of model.warnings) log(`warning: ${w}`);
    const T = model.config.num_train_timesteps;
    if (steps > T) throw new UsageError(`--steps ${steps} exceeds the model's ${T} training timesteps`);
    log(`model: ${model.description}`);
    sampling = { model, selected: runtimes, batches, method, steps, slowSteps, maxRunSeconds, matmulSize };
  }
  const report = await runBenchTable({ sampling, training }, log);
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${markdown ? formatBenchMarkdown(report) : formatBenchTable(report)}\n`);
  const failed = [...(report.sampling?.runtimes ?? []), ...(report.training?.configs ?? [])].filter((r) => r.status === 'failed');
  for (const f of failed) log(`${f.label} failed: ${f.reason}`);
  return failed.length > 0 ? 1 : 0;
}
