import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeModel, inspectModel, type ModelSummary } from '@onnx-ddpm/onnx';
import { fingerprint, parseSchedulerConfig, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { describeModelConfig, METADATA_KEYS } from '../core/model-metadata.js';

/** A model path that cannot be sampled from: missing, not ONNX, no scheduler config... */
export class ModelSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSourceError';
  }
}

/** An ONNX ε-model with the scheduler config it is sampled with. */
export interface ModelSource {
  /** The .onnx file. */
  modelPath: string;
  bytes: Uint8Array;
  summary: ModelSummary;
  config: SchedulerConfig;
  /** Where `config` came from: 'model metadata' or a JSON file path. */
  configFrom: string;
  /** The model's own config (our metadata, or a diffusers folder's unet/config.json), if any. */
  modelConfig: Record<string, unknown> | null;
  /** From the model config: classes (0 = unconditional) and item shape, where it says. */
  numClasses?: number;
  sampleShape?: number[];
  /** Non-fatal findings, e.g. a schedule fingerprint mismatch. */
  warnings: string[];
}

async function kindOf(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelSourceError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelSourceError(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function parseConfigFrom(input: unknown, from: string): SchedulerConfig {
  try {
    return parseSchedulerConfig(input);
  } catch (err) {
    throw new ModelSourceError(`invalid scheduler config in ${from}: ${(err as Error).message}`);
  }
}

/** The .onnx file for `path`: the file itself, or a folder's unet/model.onnx (or model.onnx). */
export async function resolveModelFile(path: string): Promise<string> {
  const kind = await kindOf(path);
  if (kind === null) throw new ModelSourceError(`model not found: ${path}`);
  if (kind === 'file') return path;
  for (const candidate of [join(path, 'unet', 'model.onnx'), join(path, 'model.onnx')]) {
    if ((await kindOf(candidate)) === 'file') return candidate;
  }
  throw new ModelSourceError(`${path} is a folder without unet/model.onnx or model.onnx (expected a diffusers-style export)`);
}

/** Reads and decodes an .onnx file; a missing, non-ONNX or truncated file is a ModelSourceError. */
export async function readModelSummary(modelPath: string): Promise<{ bytes: Uint8Array; summary: ModelSummary }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(modelPath));
  } catch (err) {
    throw new ModelSourceError(`cannot read ${modelPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return { bytes, summary: inspectModel(decodeModel(bytes)) };
  } catch (err) {
    throw new ModelSourceError(`${modelPath} is not a readable ONNX model: ${(err as Error).message}`);
  }
}

/**
 * Resolves `path` — an .onnx file with our metadata, or a diffusers-style folder
 * (`unet/model.onnx` + `scheduler/scheduler_config.json`) — to model bytes and a scheduler config.
 * `schedulerConfigPath` overrides whatever config the model carries.
 */
export async function loadModelSource(path: string, opts: { schedulerConfigPath?: string } = {}): Promise<ModelSource> {
  const modelPath = await resolveModelFile(path);
  let folderSchedulerConfig: string | undefined;
  let folderModelConfig: string | undefined;
  if (modelPath !== path) {
    for (const c of [join(path, 'scheduler', 'scheduler_config.json'), join(path, 'scheduler_config.json')]) {
      if (folderSchedulerConfig === undefined && (await kindOf(c)) === 'file') folderSchedulerConfig = c;
    }
    const unetConfig = join(path, 'unet', 'config.json');
    if ((await kindOf(unetConfig)) === 'file') folderModelConfig = unetConfig;
  }

  const { bytes, summary } = await readModelSummary(modelPath);
  const metadata = summary.metadata;

  let config: SchedulerConfig;
  let configFrom: string;
  if (opts.schedulerConfigPath !== undefined) {
    config = parseConfigFrom(await readJsonFile(opts.schedulerConfigPath, 'scheduler config'), opts.schedulerConfigPath);
    configFrom = opts.schedulerConfigPath;
  } else if (metadata[METADATA_KEYS.schedulerConfig] !== undefined) {
    configFrom = 'model metadata';
    let parsed: unknown;
    try {
      parsed = JSON.parse(metadata[METADATA_KEYS.schedulerConfig]!);
    } catch (err) {
      throw new ModelSourceError(`${modelPath}: metadata ${METADATA_KEYS.schedulerConfig} is not valid JSON: ${(err as Error).message}`);
    }
    config = parseConfigFrom(parsed, `${modelPath} metadata ${METADATA_KEYS.schedulerConfig}`);
  } else if (folderSchedulerConfig !== undefined) {
    config = parseConfigFrom(await readJsonFile(folderSchedulerConfig, 'scheduler config'), folderSchedulerConfig);
    configFrom = folderSchedulerConfig;
  } else {
    throw new ModelSourceError(
      `${modelPath} carries no ${METADATA_KEYS.schedulerConfig} metadata; give a scheduler config with --scheduler-config <file.json>`,
    );
  }

  let modelConfig: Record<string, unknown> | null = null;
  const rawModelConfig = metadata[METADATA_KEYS.modelConfig];
  if (rawModelConfig !== undefined) {
    try {
      modelConfig = JSON.parse(rawModelConfig) as Record<string, unknown>;
    } catch (err) {
      throw new ModelSourceError(`${modelPath}: metadata ${METADATA_KEYS.modelConfig} is not valid JSON: ${(err as Error).message}`);
    }
  } else if (folderModelConfig !== undefined) {
    modelConfig = (await readJsonFile(folderModelConfig, 'model config')) as Record<string, unknown>;
  }

  const warnings: string[] = [];
  const expected = metadata[METADATA_KEYS.scheduleFingerprint];
  if (expected !== undefined) {
    const actual = fingerprint(config);
    if (actual !== expected) {
      warnings.push(
        `the schedule in use (${configFrom}, fingerprint ${actual}) differs from the one the model was trained with (fingerprint ${expected}); samples will be off`,
      );
    }
  }
  const described = modelConfig && typeof modelConfig === 'object' ? describeModelConfig(modelConfig) : {};
  return { modelPath, bytes, summary, config, configFrom, modelConfig, ...described, warnings };
}
