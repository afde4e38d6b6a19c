/**
 * The ONNX model contract of onnx-ddpm's denoisers (docs/DESIGN.md, "The ONNX model contract"):
 * input/output names and metadata_props, with the writer (the trainer's export) and the reader
 * (the samplers) side by side.
 */

/** Graph input and output names: the ones diffusers/optimum use for UNet2DModel exports. */
export const DDPM_IO_NAMES = {
  sample: 'sample',
  timestep: 'timestep',
  classLabels: 'class_labels',
  outSample: 'out_sample',
} as const;

/** metadata_props keys. */
export const DDPM_METADATA_KEYS = {
  /** diffusers scheduler_config.json, as JSON text. */
  schedulerConfig: 'onnx_ddpm.scheduler_config',
  /** Sizes, num_classes, the architecture's hyper-parameters, parameter count (JSON). */
  modelConfig: 'onnx_ddpm.model_config',
  /** `sha256:<hex>` of the schedule tables. */
  scheduleFingerprint: 'onnx_ddpm.schedule_fingerprint',
  /** Dataset, steps, batch, EMA decay, final loss, backend (JSON). */
  training: 'onnx_ddpm.training',
} as const;

/** What an exported model carries in its metadata_props. */
export interface DdpmMetadata {
  /** The scheduler config as diffusers' scheduler_config.json text. */
  schedulerConfigJson: string;
  modelConfig: Record<string, unknown>;
  scheduleFingerprint: string;
  training: Record<string, unknown>;
}

/** The metadata_props of an exported model. */
export function writeDdpmMetadata(m: DdpmMetadata): Record<string, string> {
  return {
    [DDPM_METADATA_KEYS.schedulerConfig]: m.schedulerConfigJson,
    [DDPM_METADATA_KEYS.modelConfig]: JSON.stringify(m.modelConfig),
    [DDPM_METADATA_KEYS.scheduleFingerprint]: m.scheduleFingerprint,
    [DDPM_METADATA_KEYS.training]: JSON.stringify(m.training),
  };
}

/** A metadata value that is not the JSON the contract says; the message names the key. */
export class DdpmMetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DdpmMetadataError';
  }
}

/** What a model's metadata_props say; a field is absent (undefined) when the model lacks its key. */
export interface ReadDdpmMetadata {
  /** Parsed JSON of the scheduler config (validate it with the schedule package). */
  schedulerConfig?: unknown;
  /** null when the key holds JSON that is not an object. */
  modelConfig?: Record<string, unknown> | null;
  scheduleFingerprint?: string;
  training?: Record<string, unknown> | null;
}

/** Reads our keys from metadata_props; `name` (the model's) prefixes the error of a value that is not JSON. */
export function readDdpmMetadata(metadata: Readonly<Record<string, string>>, name: string): ReadDdpmMetadata {
  const json = (key: string): unknown => {
    try {
      return JSON.parse(metadata[key]!);
    } catch (err) {
      throw new DdpmMetadataError(`${name} metadata ${key} is not valid JSON: ${(err as Error).message}`);
    }
  };
  const object = (key: string) => {
    const v = json(key);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  };
  const K = DDPM_METADATA_KEYS;
  const out: ReadDdpmMetadata = {};
  if (metadata[K.schedulerConfig] !== undefined) out.schedulerConfig = json(K.schedulerConfig);
  if (metadata[K.modelConfig] !== undefined) out.modelConfig = object(K.modelConfig);
  if (metadata[K.scheduleFingerprint] !== undefined) out.scheduleFingerprint = metadata[K.scheduleFingerprint];
  if (metadata[K.training] !== undefined) out.training = object(K.training);
  return out;
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

/**
 * Classes and item shape from our model_config (U-Net: `sample_size`, `in_channels`; MLP:
 * `data_dim`; `num_classes`) or a diffusers unet/config.json (`num_class_embeds`), where it says.
 */
export function describeModelConfig(c: Record<string, unknown>): { numClasses?: number; sampleShape?: number[] } {
  const classes = c.num_classes ?? c.num_class_embeds;
  const numClasses = classes === null ? 0 : typeof classes === 'number' && Number.isInteger(classes) && classes >= 0 ? classes : undefined;
  const dataDim = positiveInt(c.data_dim);
  const size = positiveInt(c.sample_size);
  const channels = positiveInt(c.in_channels);
  const sampleShape = dataDim ? [dataDim] : size && channels ? [channels, size, size] : undefined;
  return { numClasses, sampleShape };
}
