import { CliError, type Command, intFlag, numberFlag, type OptionValues, stringFlag, stringOption, UsageError } from '../command.js';
import {
  builtInModel,
  formatReport,
  ModelMismatchError,
  type ModelUnderTest,
  modelFromCheckpoint,
  modelFromFile,
  RUNTIME_IDS,
  type RuntimeId,
  reportToJson,
  runParityMatrix,
  formatTrainReport,
  runTrainParity,
  TRAIN_PARITY_BACKENDS,
  TRAIN_PARITY_MODELS,
  type TrainParityBackend,
  type TrainParityModel,
} from '@onnx-ddpm/measure/parity';
import { trainerUserError } from './train.js';
import { methodFlag, modelOption } from '../sampler-flags.js';

function parseRuntimes(text: string): RuntimeId[] {
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const id of ids) {
    if (!(RUNTIME_IDS as readonly string[]).includes(id)) throw new UsageError(`--runtimes: unknown runtime '${id}' (choose from ${RUNTIME_IDS.join(', ')})`);
  }
  if (ids.length === 0) throw new UsageError(`--runtimes: empty list (choose from ${RUNTIME_IDS.join(', ')})`);
  return ids as RuntimeId[];
}

function parseList<T extends string>(flag: string, text: string, choices: readonly T[]): T[] {
  const ids = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const id of ids) {
    if (!(choices as readonly string[]).includes(id)) throw new UsageError(`--${flag}: unknown '${id}' (choose from ${choices.join(', ')})`);
  }
  if (ids.length === 0) throw new UsageError(`--${flag}: empty list (choose from ${choices.join(', ')})`);
  return ids as T[];
}

/** Flags of the sampling comparison that --train does not take. */
const SAMPLING_ONLY = ['model', 'checkpoint', 'runtimes', 'method', 'steps', 'eta', 'seed'];

/** `parity --train`: one training step on every TF.js backend, compared pairwise (DESIGN.md, "Training-step parity"). */
async function runTrainCommand(values: OptionValues, log: (line: string) => void): Promise<number> {
  const given = SAMPLING_ONLY.filter((f) => values[f] !== undefined && values[f] !== parityCommand.options[f]?.default);
  if (given.length > 0) throw new UsageError(`--${given[0]} applies to the sampling comparison, not to --train`);
  const backends = parseList<TrainParityBackend>('backends', stringFlag(values, 'backends')!, TRAIN_PARITY_BACKENDS);
  const models = parseList<TrainParityModel>('models', stringFlag(values, 'models')!, TRAIN_PARITY_MODELS);
  const batch = intFlag(values, 'batch', 1)!;
  const trainer = await import('@onnx-ddpm/trainer/node');
  const report = await runTrainParity(trainer, { backends, models, batch: { unet: batch, mlp: batch, 'unet-small': batch } }, log);
  process.stdout.write(values.json === true ? `${reportToJson(report)}\n` : formatTrainReport(report));
  return report.pass ? 0 : 1;
}

async function loadModel(modelPath: string | undefined, checkpoint: string | undefined): Promise<ModelUnderTest> {
  const sampler = await import('@onnx-ddpm/sampler/node');
  const trainer = await import('@onnx-ddpm/trainer/node');
  try {
    if (checkpoint !== undefined) return await modelFromCheckpoint(checkpoint, modelPath);
    if (modelPath !== undefined) return await modelFromFile(modelPath);
    return await builtInModel();
  } catch (err) {
    if (err instanceof ModelMismatchError) throw new UsageError(err.message);
    if (err instanceof sampler.ModelSourceError || err instanceof sampler.SamplerError || err instanceof sampler.ExecutionProviderError) {
      throw new CliError(err.message);
    }
    throw trainerUserError(trainer, err) ?? err;
  }
}

export const parityCommand: Command = {
  name: 'parity',
  summary: 'run one model on every runtime on this machine and compare the outputs against docs/DESIGN.md bounds',
  options: {
    model: modelOption('.onnx file or diffusers-style folder (default: a built-in tiny 8×8 U-Net, seed-0 initial weights, exported on the fly)'),
    checkpoint: stringOption(
      '<run-dir>',
      "trainer run or checkpoint: adds its TF.js forward (EMA weights); without --model it is also exported as the model",
    ),
    runtimes: stringOption('<list>', `runtimes to run; the others are listed as skipped`, RUNTIME_IDS.join(',')),
    method: stringOption('<ddim|ddpm>', 'sampler of the trajectory', 'ddim'),
    steps: stringOption('<k>', 'reverse steps of the trajectory', '20'),
    eta: stringOption('<η>', 'DDIM η', '0'),
    seed: stringOption('<int>', 'Philox seed of the inputs and the trajectory noise', '0'),
    batch: stringOption('<n>', 'items in the model call and the trajectory', '2'),
    json: { type: 'boolean', description: 'print the report as JSON (a PSNR of identical images is "Infinity")' },
    train: { type: 'boolean', description: 'compare one training step (loss, gradients, Adam update) across TF.js backends instead' },
    backends: stringOption('<list>', 'with --train: TF.js backends', TRAIN_PARITY_BACKENDS.join(',')),
    models: stringOption('<list>', 'with --train: models (default U-Net, default MLP, small 8×8 U-Net)', 'unet,mlp'),
  },
  async run({ values }) {
    if (values.train === true) return runTrainCommand(values, (line) => process.stderr.write(`onnx-ddpm parity --train: ${line}\n`));
    const selected = parseRuntimes(stringFlag(values, 'runtimes')!);
    const method = methodFlag(values);
    const steps = intFlag(values, 'steps', 1)!;
    const eta = numberFlag(values, 'eta')!;
    if (eta < 0) throw new UsageError(`--eta must be ≥ 0, got ${eta}`);
    if (method === 'ddpm' && eta !== 0) throw new UsageError('--eta applies to --method ddim only');
    const seed = intFlag(values, 'seed', 0, Number.MAX_SAFE_INTEGER)!;
    const batch = intFlag(values, 'batch', 1)!;
    const log = (line: string) => process.stderr.write(`onnx-ddpm parity: ${line}\n`);

    const t0 = performance.now();
    const model = await loadModel(stringFlag(values, 'model'), stringFlag(values, 'checkpoint'));
    try {
      for (const w of model.warnings) log(`warning: ${w}`);
      if (steps > model.config.num_train_timesteps) {
        throw new UsageError(`--steps ${steps} exceeds the model's ${model.config.num_train_timesteps} training timesteps`);
      }
      const report = await runParityMatrix(model, selected, { method, steps, eta: method === 'ddim' ? eta : 1, seed, batch }, log, t0);
      process.stdout.write(values.json === true ? `${reportToJson(report)}\n` : formatReport(report));
      return report.pass ? 0 : 1;
    } finally {
      model.tf?.net.dispose();
    }
  },
};
