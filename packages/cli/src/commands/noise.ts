import {
  addNoise,
  BETA_SCHEDULES,
  type BetaSchedule,
  computeTables,
  DEFAULT_SCHEDULER_CONFIG,
  PhiloxNoise,
  parseSchedulerConfig,
  type SchedulerConfig,
} from '@onnx-ddpm/schedule';
import { CliError, type Command, intFlag, readFlagFile, requiredString, stringFlag, stringOption, UsageError } from '../command.js';
import { writeFileAtomic } from '@onnx-ddpm/trainer/files';
import { checkOutputPath } from '../output.js';

/** Reads the scheduler config from --scheduler-config and --schedule (defaults: diffusers' DDPMScheduler). */
export async function schedulerConfigFromFlags(configPath: string | undefined, schedule: string | undefined): Promise<SchedulerConfig> {
  let raw: Record<string, unknown> = { ...DEFAULT_SCHEDULER_CONFIG };
  if (configPath !== undefined) {
    const text = (await readFlagFile('scheduler-config', configPath)).toString('utf8');
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(`--scheduler-config ${configPath} is not valid JSON (${(err as Error).message})`);
    }
  }
  if (schedule !== undefined) {
    if (!BETA_SCHEDULES.includes(schedule as BetaSchedule)) {
      throw new UsageError(`--schedule must be one of ${BETA_SCHEDULES.join(', ')}; got '${schedule}'`);
    }
    raw = { ...raw, beta_schedule: schedule };
  }
  try {
    return parseSchedulerConfig(raw);
  } catch (err) {
    throw new CliError(`${configPath ?? 'scheduler config'}: ${(err as Error).message}`);
  }
}

/** Parses "0,100,999" into timesteps, each in [0, T). */
export function parseStepList(text: string, T: number): number[] {
  const steps = text.split(',').map((part) => {
    const s = part.trim();
    const t = Number(s);
    if (s === '' || !Number.isInteger(t)) throw new UsageError(`--steps must be a comma-separated list of integers, got '${text}'`);
    if (t < 0 || t >= T) throw new UsageError(`--steps: timestep ${t} is out of range; this schedule has t = 0..${T - 1}`);
    return t;
  });
  return steps;
}

/** `count` timesteps spread evenly over 0..T−1. */
function defaultSteps(T: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((i * (T - 1)) / (count - 1)));
}

export const noiseCommand: Command = {
  name: 'noise',
  summary: 'show the forward process q(x_t|x_0) on an image as a strip',
  options: {
    image: stringOption('<file>', 'input image (PNG, JPEG, WebP, ...)'),
    out: stringOption('<file.png>', 'where to write the strip'),
    steps: stringOption('<t,t,...>', 'timesteps to show, comma-separated (default: 6 evenly spaced from 0 to T−1)'),
    schedule: stringOption('<name>', `beta schedule: ${BETA_SCHEDULES.join(', ')}`),
    'scheduler-config': stringOption('<file.json>', "a diffusers scheduler_config.json"),
    seed: stringOption('<n>', 'seed of the Philox noise ε', '1'),
    size: stringOption('<px>', 'the image is centre-cropped and resized to this square', '64'),
    scale: stringOption('<n>', 'nearest-neighbour upscale of each frame (default: to ≥ 48 px)'),
  },
  async run({ values }) {
    const imagePath = requiredString(values, 'image');
    const outPath = requiredString(values, 'out');
    const seed = intFlag(values, 'seed', 0, Number.MAX_SAFE_INTEGER)!;
    const size = intFlag(values, 'size', 1)!;
    const scale = intFlag(values, 'scale', 1);
    const config = await schedulerConfigFromFlags(stringFlag(values, 'scheduler-config'), stringFlag(values, 'schedule'));
    const T = config.num_train_timesteps;
    const stepsText = stringFlag(values, 'steps');
    const steps = stepsText === undefined ? defaultSteps(T, 6) : parseStepList(stepsText, T);
    await checkOutputPath('out', outPath, 'file');

    const bytes = await readFlagFile('image', imagePath);
    const { decodeImageTensor, encodeImageStrip } = await import('@onnx-ddpm/sampler/node');
    let image: Awaited<ReturnType<typeof decodeImageTensor>>;
    try {
      image = await decodeImageTensor(bytes, { size, name: imagePath });
    } catch (err) {
      throw new CliError((err as Error).message);
    }

    // One ε for every column, so the strip shows the same noise growing: x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε (Ho et al. 2020, eq. 4).
    const d = image.data.length;
    const x0 = new Float32Array(d * steps.length);
    const eps = new Float32Array(d);
    new PhiloxNoise(seed).fill(0, eps);
    const epsBatch = new Float32Array(d * steps.length);
    for (let i = 0; i < steps.length; i++) {
      x0.set(image.data, i * d);
      epsBatch.set(eps, i * d);
    }
    const xt = new Float32Array(d * steps.length);
    const tables = computeTables(config);
    addNoise(tables, x0, epsBatch, steps, xt);

    const frames = steps.map((_, i) => xt.subarray(i * d, (i + 1) * d));
    const png = await encodeImageStrip(
      [{ label: 'xₜ', images: frames }],
      steps.map((t) => `t=${t}`),
      image.shape.slice(1),
      scale === undefined ? {} : { scale },
    );
    await writeFileAtomic(outPath, png);
    const lines = steps.map(
      (t) => `  t=${String(t).padEnd(5)} √ᾱ_t=${tables.sqrtAlphaBars[t]!.toFixed(4)}  √(1−ᾱ_t)=${tables.sqrtOneMinusAlphaBars[t]!.toFixed(4)}`,
    );
    process.stdout.write(
      `wrote ${outPath}: ${steps.length} frames of ${image.shape.slice(1).join('×')} (${config.beta_schedule} schedule, T=${T}, seed ${seed})\n${lines.join('\n')}\n`,
    );
    return 0;
  },
};
