/**
 * The text of a model card (`models/<name>.md`): data, architecture, scheduler, training facts,
 * final loss, export parity, file size, the loss-curve and samples PNGs, and the commands that
 * reproduce the model and the card. Pure functions of the facts the card script gathers.
 */
import type { TrainConfig, TrainSettings } from '@onnx-ddpm/trainer/node';
import { formatDuration } from '../cost/format.js';

export interface CardFacts {
  /** Card name: `<name>.md`, `<name>-loss.png`, `<name>-samples.png`; the model is `<name>.onnx`. */
  name: string;
  modelBytes: number;
  opset: number | null;
  data: { spec: string; count: number; itemShape: number[]; classNames: string[]; source: string };
  /** `onnx_ddpm.model_config` of the model file. */
  modelConfig: Record<string, unknown>;
  /** The run's full configuration (config.json / the checkpoint). */
  config: TrainConfig;
  /** Steps the model file was trained for (its `onnx_ddpm.training.steps`). */
  steps: number;
  /** Training seconds of the model (its metadata's train_seconds, else log.jsonl's elapsed_s) and which it is. */
  seconds: number;
  secondsFrom: string;
  backend: string;
  workers: { count: number; note: string };
  /** The trainer's running mean of the loss at `steps` (the metadata's final_ema_loss). */
  emaLoss: number;
  /** Export parity: max |ONNX Runtime − TF.js| of the checkpoint's weights, or why it was not measured. */
  parity: { maxAbsDiff: number; cases: number } | { skipped: string };
  /** Optional extra lines (e.g. a sample-quality figure). */
  extra?: string[];
  samples: { caption: string };
  /** The "Sample quality" section (`sampleQualitySection` of the model's eval reports), if any. */
  quality?: string[];
  /** A model exported before its run's last step: the run's planned steps and the compact checkpoint (path from the card) that continues it, if there is one. */
  unfinished?: { plannedSteps: number; compactCheckpoint: string | null; runOut: string };
  trainCommand: string;
  cardCommand: string;
  /** YYYY-MM-DD. */
  date: string;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
const thousands = (n: number): string => n.toLocaleString('en-US');

/** One line about the architecture, from `onnx_ddpm.model_config`. */
export function describeArchitecture(m: Record<string, unknown>): string {
  const classes = num(m['num_classes']) > 0 ? `; class-conditional on ${m['num_classes']} labels (+ a null label for classifier-free guidance)` : '; unconditional';
  const params = `${thousands(num(m['parameter_count']))} parameters`;
  if (m['model_type'] === 'mlp') {
    return (
      `ε-MLP for ${m['data_dim']}-D points: sinusoidal timestep embedding of width ${m['time_embed_dim']}, ` +
      `${m['layers']} hidden layers of ${m['hidden']} (${m['activation']})${classes}; ${params}`
    );
  }
  if (m['model_type'] === 'unet') {
    const size = `${m['sample_size']}×${m['sample_size']}×${m['in_channels']}`;
    const attention = (m['attention_resolutions'] as number[] | undefined)?.map((r) => `${r}×${r}`).join(', ') || 'none';
    return (
      `ε-U-Net for ${size} images: base ${m['base_channels']} channels, multipliers [${(m['channel_multipliers'] as number[]).join(', ')}], ` +
      `${m['num_res_blocks']} residual blocks per level, attention at ${attention}, GroupNorm with ${m['norm_num_groups']} groups, ` +
      `dropout ${m['dropout']}, time embedding ${m['time_embed_dim']} (${m['activation']})${classes}; ${params}`
    );
  }
  return `${String(m['model_type'] ?? 'unknown')} model; ${params}`;
}

/** One line about the noise schedule and the sampler settings, from the scheduler config. */
export function describeScheduler(s: Record<string, unknown>): string {
  const betas = s['trained_betas'] ? 'trained_betas' : `${s['beta_schedule']} β from ${s['beta_start']} to ${s['beta_end']}`;
  const clip = s['clip_sample'] ? `clip_sample to ±${s['clip_sample_range']}` : 'no clip_sample';
  return (
    `T = ${s['num_train_timesteps']}, ${betas}, ${s['prediction_type']} prediction, variance ${s['variance_type']}, ` +
    `${clip}, timestep spacing ${s['timestep_spacing']} (steps_offset ${s['steps_offset']})`
  );
}

/** The items, as the card says them: "10,000 2-D points", "60,000 images of 28×28×1". */
function describeItems(data: CardFacts['data']): string {
  if (data.itemShape.length === 1) return `${thousands(data.count)} ${data.itemShape[0]}-D points`;
  return `${thousands(data.count)} images of ${data.itemShape.join('×')}`;
}

const TRAIN_FLAGS: Partial<Record<keyof TrainSettings, string>> = {
  steps: '--steps',
  batchSize: '--batch',
  lr: '--lr',
  seed: '--seed',
  emaDecay: '--ema',
  checkpointEvery: '--checkpoint-every',
  logEvery: '--log-every',
  previewEvery: '--preview-every',
};

/** Differences of `value` from `base`, key by key (deep equality by JSON). */
function changed<T extends object>(value: T, base: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (JSON.stringify(value[key]) !== JSON.stringify(base[key])) out[key] = value[key];
  }
  return out;
}

export interface TrainCommandOptions {
  /** Steps of the model to reproduce (may be below config.train.steps when exported mid-run). */
  steps: number;
  out: string;
  exportPath: string;
  backend: string;
  /** Worker threads, when they were not the train command's default. */
  workers?: number;
  /**
   * The configuration `train` resolves for this data with the given train settings and no other
   * flags (the trainer's resolveTrainConfig): the defaults the command's flags are measured against.
   */
  resolveDefaults: (train: Partial<TrainSettings>) => TrainConfig;
}

/**
 * The `train` command line that trains this configuration again: flags for the settings that
 * differ from the defaults, `--config '{…}'` for the rest (warm-up, model, scheduler overrides).
 * Training is a function of (config, seed, step), and the learning rate is constant after the
 * warm-up, so a run resumed any number of times is reproduced by one run to the same step.
 */
export function trainCommandLine(config: TrainConfig, opts: TrainCommandOptions): string {
  const kindDefaults = opts.resolveDefaults({});
  const pinned: Partial<TrainSettings> = {};
  if (opts.steps !== kindDefaults.train.steps) pinned.steps = opts.steps;
  if (config.train.classConditional !== kindDefaults.train.classConditional) pinned.classConditional = config.train.classConditional;
  const defaults = opts.resolveDefaults(pinned);
  const args = ['pnpm onnx-ddpm train', `--data ${config.data.spec}`];
  if (config.data.channels !== undefined) args.push(`--channels ${config.data.channels}`);
  if (config.data.imageSize !== undefined) args.push(`--image-size ${config.data.imageSize}`);
  if (config.data.skipBad) args.push('--skip-bad');
  args.push(`--out ${opts.out}`);
  if (pinned.steps !== undefined) args.push(`--steps ${pinned.steps}`);
  if (pinned.classConditional !== undefined) args.push(pinned.classConditional ? '--class-cond' : '--no-class-cond');
  const rest: Record<string, unknown> = {};
  const train = changed({ ...config.train, steps: opts.steps }, defaults.train);
  for (const [key, value] of Object.entries(train) as [keyof TrainSettings, unknown][]) {
    const flag = TRAIN_FLAGS[key];
    if (key === 'steps' || key === 'classConditional') continue;
    if (flag) args.push(`${flag} ${value}`);
    else rest[key] = value;
  }
  const overrides: Record<string, unknown> = {};
  const model = changed(config.model, defaults.model);
  const scheduler = changed(config.scheduler as object, defaults.scheduler as object);
  if (Object.keys(model).length > 0) overrides['model'] = model;
  if (Object.keys(scheduler).length > 0) overrides['scheduler'] = scheduler;
  if (Object.keys(rest).length > 0) overrides['train'] = rest;
  if (Object.keys(overrides).length > 0) args.push(`--config '${JSON.stringify(overrides)}'`);
  args.push(`--backend ${opts.backend}`);
  if (opts.workers !== undefined) args.push(`--workers ${opts.workers}`);
  args.push(`--export ${opts.exportPath}`);
  return args.join(' ');
}

function formatParity(p: CardFacts['parity']): string {
  if ('skipped' in p) return `not measured: ${p.skipped}`;
  return `max abs ${p.maxAbsDiff.toExponential(2)} over ${p.cases} batches (bound 1e-4), measured when this card was written`;
}

/** The card's markdown. */
export function modelCardMarkdown(f: CardFacts): string {
  const t = f.config.train;
  const epochs = (f.steps * t.batchSize) / f.data.count;
  const speed = (f.steps * t.batchSize) / f.seconds;
  const classes =
    f.data.classNames.length > 0 ? `; ${f.data.classNames.length} classes: ${f.data.classNames.map((c, i) => `${i} ${c}`).join(', ')}` : '; no labels';
  const m = f.modelConfig;
  const io =
    m['model_type'] === 'unet'
      ? `\`sample\` float32 [N, ${m['in_channels']}, ${m['sample_size']}, ${m['sample_size']}], \`timestep\` int64 [N]${num(m['num_classes']) > 0 ? ', `class_labels` int64 [N]' : ''} → \`out_sample\``
      : `\`sample\` float32 [N, ${m['data_dim']}], \`timestep\` int64 [N]${num(m['num_classes']) > 0 ? ', `class_labels` int64 [N]' : ''} → \`out_sample\``;
  const lines = [
    `# ${f.name}.onnx`,
    '',
    `A DDPM ε-model (Ho et al. 2020) of \`${f.data.spec}\`, trained from scratch with onnx-ddpm's TensorFlow.js trainer and ` +
      `exported to ONNX (EMA weights). Card written by \`node scripts/model-card.mjs\` on ${f.date}.`,
    '',
    `![Training loss of ${f.name}](${f.name}-loss.png)`,
    '',
    `![Samples of ${f.name}](${f.name}-samples.png)`,
    '',
    `*${f.samples.caption}*`,
    '',
    `- Data: \`${f.data.spec}\`, ${describeItems(f.data)} (${f.data.source})${classes}.`,
    `- Model: ${describeArchitecture(m)}.`,
    `- Scheduler: ${describeScheduler(f.config.scheduler as unknown as Record<string, unknown>)}.`,
    `- Training: ${thousands(f.steps)} steps of batch ${t.batchSize} (${epochs < 10 ? epochs.toFixed(2) : epochs.toFixed(1)} epochs), ` +
      `L_simple with ${t.antithetic ? 'antithetic ' : ''}uniform t, Adam lr ${t.lr} (linear warm-up over ${t.warmupSteps} steps, then constant), ` +
      `gradient-norm clip ${t.gradClip}, EMA decay ${t.emaDecay}${t.classConditional ? `, label dropout ${t.labelDropout}` : ''}, seed ${t.seed}.`,
    `- Time and backend: ${formatDuration(f.seconds)} of training (${f.seconds >= 60 ? `${Math.round(f.seconds)} s, ` : ''}${f.secondsFrom}; ` +
      `≈ ${speed < 100 ? speed.toFixed(1) : thousands(Math.round(speed))} ${m['model_type'] === 'unet' ? 'images' : 'points'}/s) on the TF.js ` +
      `${f.backend} backend, ${f.workers.count} ${f.workers.count === 1 ? 'replica' : 'data-parallel workers'} (${f.workers.note}).`,
    `- Final loss: ${f.emaLoss.toFixed(4)} (the trainer's running mean over ≈ 50 steps at step ${f.steps}).`,
    `- ONNX: \`${f.name}.onnx\`, ${thousands(f.modelBytes)} bytes (${(f.modelBytes / 2 ** 20).toFixed(2)} MiB), ` +
      `opset ${f.opset ?? '?'}; ${io}; metadata \`onnx_ddpm.*\` holds the scheduler and model configs, the schedule fingerprint and the training summary.`,
    `- Export parity (ONNX Runtime vs TF.js, the run's checkpoint): ${formatParity(f.parity)}.`,
    ...(f.extra ?? []).map((line) => `- ${line}`),
    '',
    ...(f.quality ?? []),
    'Reproduce the model, then this card:',
    '',
    '```sh',
    f.trainCommand,
    f.cardCommand,
    '```',
    '',
    ...(f.unfinished ? continueRunLines(f, f.unfinished) : []),
  ];
  return lines.join('\n');
}

/** How to continue a run the model was exported from before its last step. */
function continueRunLines(f: CardFacts, u: NonNullable<CardFacts['unfinished']>): string[] {
  const head = `The model is from step ${thousands(f.steps)} of a ${thousands(u.plannedSteps)}-step run.`;
  if (u.compactCheckpoint === null) return [`${head} Its run folder's checkpoint continues it (\`onnx-ddpm train --resume\`); no compact checkpoint was committed beside the model.`, ''];
  const shownCkpt = u.compactCheckpoint.slice(u.compactCheckpoint.lastIndexOf('/') + 1);
  return [
    `${head} To continue it on any machine, from the compact checkpoint [${shownCkpt}/](${shownCkpt}) of that step ` +
      '(float32 weights and EMA, bfloat16 Adam moments, the loss log up to that step), and export it again:',
    '',
    '```sh',
    `pnpm onnx-ddpm train --resume-from ${u.compactCheckpoint} --out ${u.runOut} --steps ${u.plannedSteps}`,
    `pnpm onnx-ddpm export --checkpoint ${u.runOut} --out ${u.compactCheckpoint.replace(/\.ckpt$/, '.onnx')} --compact-checkpoint ${u.compactCheckpoint}`,
    '```',
    '',
  ];
}
