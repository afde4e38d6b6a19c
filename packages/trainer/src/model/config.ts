/** ε-U-Net hyper-parameters (Ho et al. 2020 architecture, labml layout). */
export interface UNetConfig {
  kind: 'unet';
  imageSize: number;
  channels: number;
  baseChannels: number;
  /** Level i has baseChannels × channelMultipliers[i] channels at resolution imageSize / 2^i. */
  channelMultipliers: number[];
  numResBlocks: number;
  /** Resolutions (in pixels, e.g. 7 for 7×7) whose levels get self-attention after each residual block. */
  attentionResolutions: number[];
  groups: number;
  dropout: number;
  /** 0 = unconditional; otherwise labels 0..numClasses−1 and numClasses = "no label". */
  numClasses: number;
  /** Width of the time embedding after its two dense layers; default 4 × baseChannels. */
  timeEmbedDim?: number;
}

/** ε-MLP for low-dimensional (2-D) data. */
export interface MlpConfig {
  kind: 'mlp';
  dataDim: number;
  hidden: number;
  /** Number of hidden hidden→hidden dense layers (each preceded by Swish). */
  layers: number;
  /** Width of the sinusoidal timestep embedding. */
  timeEmbedDim: number;
  numClasses: number;
}

export type ModelConfig = UNetConfig | MlpConfig;

/** A model configuration that cannot be built. */
export class ModelConfigError extends Error {
  override name = 'ModelConfigError';
}

/**
 * Default U-Net for imageSize×imageSize×channels images: base 32, 2 blocks per level, 8 groups,
 * dropout 0.1, attention at the lowest resolution; multipliers [1,2,2] (28×28 → 14 → 7, attention
 * at 7×7), [1,2,2,2] from 64 px when divisible by 8, fewer levels when the size is not divisible by 4.
 */
export function defaultUNetConfig(imageSize: number, channels: number, numClasses: number): UNetConfig {
  const levels = imageSize >= 64 && imageSize % 8 === 0 ? 4 : imageSize % 4 === 0 ? 3 : imageSize % 2 === 0 ? 2 : 1;
  const channelMultipliers = [1, 2, 2, 2].slice(0, levels);
  const lowest = imageSize / 2 ** (channelMultipliers.length - 1);
  return validateModelConfig({
    kind: 'unet',
    imageSize,
    channels,
    baseChannels: 32,
    channelMultipliers,
    numResBlocks: 2,
    attentionResolutions: [lowest],
    groups: 8,
    dropout: 0.1,
    numClasses,
  });
}

/** Default MLP for 2-D points: 3 hidden layers of width 128, 32-wide time embedding. */
export function defaultMlpConfig(numClasses = 0): MlpConfig {
  return { kind: 'mlp', dataDim: 2, hidden: 128, layers: 3, timeEmbedDim: 32, numClasses };
}

/** The time-embedding width of a U-Net (timeEmbedDim or 4 × baseChannels). */
export function unetTimeDim(config: UNetConfig): number {
  return config.timeEmbedDim ?? 4 * config.baseChannels;
}

/** Every field of each kind, so that a misspelt one in a --config file is an error rather than ignored. */
const MLP_FIELDS: readonly (keyof MlpConfig)[] = ['kind', 'dataDim', 'hidden', 'layers', 'timeEmbedDim', 'numClasses'];
const UNET_FIELDS: readonly (keyof UNetConfig)[] = ['kind', 'imageSize', 'channels', 'baseChannels', 'channelMultipliers', 'numResBlocks', 'attentionResolutions', 'groups', 'dropout', 'numClasses', 'timeEmbedDim'];

function positiveInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ModelConfigError(`model config: ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function nonNegativeInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ModelConfigError(`model config: ${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function sinusoidWidth(field: string, value: number): void {
  if (value < 4 || value % 2 !== 0) {
    throw new ModelConfigError(`model config: ${field} = ${value} must be even and ≥ 4 (sinusoidal time embedding)`);
  }
}

/**
 * Checks that a configuration can be built (types, divisibility of the image size by the
 * down-sampling factor, channel counts divisible by the GroupNorm groups) and returns a
 * normalised copy; throws ModelConfigError naming the field and value otherwise.
 */
export function validateModelConfig<T extends ModelConfig>(input: T): T;
export function validateModelConfig(input: unknown): ModelConfig;
export function validateModelConfig(input: unknown): ModelConfig {
  if (typeof input !== 'object' || input === null) {
    throw new ModelConfigError(`model config must be an object, got ${JSON.stringify(input)}`);
  }
  const c = input as Record<string, unknown>;
  const fields: readonly string[] = c.kind === 'mlp' ? MLP_FIELDS : c.kind === 'unet' ? UNET_FIELDS : Object.keys(c);
  for (const key of Object.keys(c)) {
    if (!fields.includes(key)) {
      throw new ModelConfigError(`model config: unknown field '${key}' for kind ${JSON.stringify(c.kind)} (fields: ${fields.join(', ')})`);
    }
  }
  if (c.kind === 'mlp') {
    const config: MlpConfig = {
      kind: 'mlp',
      dataDim: positiveInt('dataDim', c.dataDim),
      hidden: positiveInt('hidden', c.hidden),
      layers: positiveInt('layers', c.layers),
      timeEmbedDim: positiveInt('timeEmbedDim', c.timeEmbedDim),
      numClasses: nonNegativeInt('numClasses', c.numClasses),
    };
    sinusoidWidth('timeEmbedDim', config.timeEmbedDim);
    return config;
  }
  if (c.kind !== 'unet') {
    throw new ModelConfigError(`model config: kind must be 'unet' or 'mlp', got ${JSON.stringify(c.kind)}`);
  }
  const mults = c.channelMultipliers;
  if (!Array.isArray(mults) || mults.length === 0) {
    throw new ModelConfigError(`model config: channelMultipliers must be a non-empty array, got ${JSON.stringify(mults)}`);
  }
  const attn = c.attentionResolutions;
  if (!Array.isArray(attn)) {
    throw new ModelConfigError(`model config: attentionResolutions must be an array, got ${JSON.stringify(attn)}`);
  }
  const dropout = c.dropout;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new ModelConfigError(`model config: dropout must be a number in [0, 1), got ${JSON.stringify(dropout)}`);
  }
  const config: UNetConfig = {
    kind: 'unet',
    imageSize: positiveInt('imageSize', c.imageSize),
    channels: positiveInt('channels', c.channels),
    baseChannels: positiveInt('baseChannels', c.baseChannels),
    channelMultipliers: mults.map((m, i) => positiveInt(`channelMultipliers[${i}]`, m)),
    numResBlocks: positiveInt('numResBlocks', c.numResBlocks),
    attentionResolutions: attn.map((r, i) => positiveInt(`attentionResolutions[${i}]`, r)),
    groups: positiveInt('groups', c.groups),
    dropout,
    numClasses: nonNegativeInt('numClasses', c.numClasses),
  };
  if (c.timeEmbedDim !== undefined) config.timeEmbedDim = positiveInt('timeEmbedDim', c.timeEmbedDim);
  sinusoidWidth('baseChannels', config.baseChannels);
  const factor = 2 ** (config.channelMultipliers.length - 1);
  if (config.imageSize % factor !== 0) {
    throw new ModelConfigError(
      `model config: imageSize ${config.imageSize} is not divisible by ${factor} ` +
        `(${config.channelMultipliers.length} levels halve it ${config.channelMultipliers.length - 1} times)`,
    );
  }
  const resolutions = config.channelMultipliers.map((_, i) => config.imageSize / 2 ** i);
  for (const r of config.attentionResolutions) {
    if (!resolutions.includes(r)) {
      throw new ModelConfigError(
        `model config: attention resolution ${r} is not one of the U-Net's resolutions ${resolutions.join(', ')}`,
      );
    }
  }
  // Every GroupNorm input: each level's width, and the concatenations on the way up.
  const widths = new Set<number>([config.baseChannels]);
  for (const m of config.channelMultipliers) widths.add(config.baseChannels * m);
  for (const w of unetNormWidths(config)) widths.add(w);
  for (const w of widths) {
    if (w % config.groups !== 0) {
      throw new ModelConfigError(
        `model config: ${w} channels are not divisible by groups = ${config.groups} (GroupNorm)`,
      );
    }
  }
  return config;
}

/** Input widths of the up-path residual blocks (current + skip channels). */
function unetNormWidths(config: UNetConfig): number[] {
  const levels = config.channelMultipliers.map((m) => config.baseChannels * m);
  const skips: number[] = [config.baseChannels];
  let ch = config.baseChannels;
  levels.forEach((width, i) => {
    for (let b = 0; b < config.numResBlocks; b++) {
      ch = width;
      skips.push(ch);
    }
    if (i < levels.length - 1) skips.push(ch);
  });
  const widths: number[] = [];
  for (let i = levels.length - 1; i >= 0; i--) {
    for (let b = 0; b <= config.numResBlocks; b++) {
      widths.push(ch + (skips.pop() as number));
      ch = levels[i] as number;
    }
  }
  return widths;
}
