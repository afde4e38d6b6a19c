import {
  DdpmMetadataError,
  DDPM_METADATA_KEYS,
  decodeModel,
  describeModelConfig,
  inspectModel,
  type ModelSummary,
  readDdpmMetadata,
} from '@onnx-ddpm/onnx';
import { fingerprint, parseSchedulerConfig, type SchedulerConfig } from '@onnx-ddpm/schedule';

/** A model that cannot be sampled from as given: not ONNX, bad metadata, no or an invalid scheduler config... */
export class ModelSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSourceError';
  }
}

/** An ONNX denoiser's bytes and what its metadata (or the files beside it) say. */
export interface ModelSource {
  /** The model's name in messages (a file path in Node, a file name in the browser). */
  name: string;
  bytes: Uint8Array;
  summary: ModelSummary;
  /** null when neither the model nor the caller gives a scheduler config. */
  config: SchedulerConfig | null;
  /** Where `config` came from: 'model metadata', a file path or 'scheduler_config.json'; null with `config`. */
  configFrom: string | null;
  /** The model's own config (our metadata, or a diffusers folder's unet/config.json), if any. */
  modelConfig: Record<string, unknown> | null;
  /** Our `onnx_ddpm.training` metadata, if any. */
  training: Record<string, unknown> | null;
  /** From the model config: classes (0 = unconditional) and item shape, where it says. */
  numClasses?: number;
  sampleShape?: number[];
  /** Non-fatal findings, e.g. a schedule fingerprint mismatch. */
  warnings: string[];
}

/** The text of a JSON file and where it came from. */
export interface JsonText {
  text: string;
  from: string;
}

export interface ModelSourceOptions {
  /** A scheduler config overriding the model's own; a string is the text of a scheduler_config.json. */
  schedulerConfig?: string | JsonText;
  /** A diffusers-style folder's files (scheduler/scheduler_config.json, unet/config.json): used where the metadata says nothing. */
  folder?: { schedulerConfig?: JsonText; modelConfig?: JsonText };
}

/** Decodes model bytes; bytes that are not ONNX are a ModelSourceError naming the model. */
export function decodeModelBytes(bytes: Uint8Array, name: string): ModelSummary {
  try {
    return inspectModel(decodeModel(bytes));
  } catch (err) {
    throw new ModelSourceError(`${name} is not an ONNX model: ${(err as Error).message.replace(/^not an ONNX model: /, '')}`);
  }
}

function parseJson({ text, from }: JsonText): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelSourceError(`${from} is not valid JSON: ${(err as Error).message}`);
  }
}

function schedulerConfigFrom(input: unknown, from: string): SchedulerConfig {
  try {
    return parseSchedulerConfig(input);
  } catch (err) {
    throw new ModelSourceError(`invalid scheduler config in ${from}: ${(err as Error).message}`);
  }
}

/**
 * Reads model bytes and the scheduler config to sample them with: the caller's override, else the
 * model's metadata, else a diffusers folder's file (the Node side resolves files; this is pure).
 */
export function readModelBytes(bytes: Uint8Array, name: string, opts: ModelSourceOptions = {}): ModelSource {
  const summary = decodeModelBytes(bytes, name);
  if (summary.inputs.length === 0) throw new ModelSourceError(`${name} is not an ONNX model: it has no graph inputs`);
  let meta: ReturnType<typeof readDdpmMetadata>;
  try {
    meta = readDdpmMetadata(summary.metadata, name);
  } catch (err) {
    throw err instanceof DdpmMetadataError ? new ModelSourceError(err.message) : err;
  }

  const override = typeof opts.schedulerConfig === 'string' ? { text: opts.schedulerConfig, from: 'scheduler_config.json' } : opts.schedulerConfig;
  let config: SchedulerConfig | null = null;
  let configFrom: string | null = null;
  if (override) {
    config = schedulerConfigFrom(parseJson(override), override.from);
    configFrom = override.from;
  } else if (meta.schedulerConfig !== undefined) {
    config = schedulerConfigFrom(meta.schedulerConfig, `${name} metadata ${DDPM_METADATA_KEYS.schedulerConfig}`);
    configFrom = 'model metadata';
  } else if (opts.folder?.schedulerConfig) {
    config = schedulerConfigFrom(parseJson(opts.folder.schedulerConfig), opts.folder.schedulerConfig.from);
    configFrom = opts.folder.schedulerConfig.from;
  }

  let modelConfig = meta.modelConfig ?? null;
  if (meta.modelConfig === undefined && opts.folder?.modelConfig) {
    const v = parseJson(opts.folder.modelConfig);
    modelConfig = v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  }

  const warnings: string[] = [];
  if (config && meta.scheduleFingerprint !== undefined) {
    const actual = fingerprint(config);
    if (actual !== meta.scheduleFingerprint) {
      warnings.push(
        `the schedule in use (${configFrom}, fingerprint ${actual}) differs from the one the model was trained with (fingerprint ${meta.scheduleFingerprint}); samples will be off`,
      );
    }
  }
  return {
    name,
    bytes,
    summary,
    config,
    configFrom,
    modelConfig,
    training: meta.training ?? null,
    warnings,
    ...(modelConfig ? describeModelConfig(modelConfig) : {}),
  };
}
