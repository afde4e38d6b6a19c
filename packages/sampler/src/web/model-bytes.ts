import { decodeModel, inspectModel, type ModelSummary } from '@onnx-ddpm/onnx';
import { fingerprint, parseSchedulerConfig, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { describeModelConfig, METADATA_KEYS as KEYS } from '../core/model-metadata.js';

/** Bytes that cannot be sampled from as given: not ONNX, bad metadata, an invalid scheduler config. */
export class ModelBytesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelBytesError';
  }
}

/** An in-memory ONNX ε-model and what its metadata says (the browser's counterpart of a model file). */
export interface ModelBytesSource {
  name: string;
  bytes: Uint8Array;
  summary: ModelSummary;
  /** null when the model carries no scheduler config and none was given: ask the user for one. */
  config: SchedulerConfig | null;
  configFrom: 'model metadata' | 'scheduler_config.json' | null;
  modelConfig: Record<string, unknown> | null;
  training: Record<string, unknown> | null;
  numClasses?: number;
  sampleShape?: number[];
  warnings: string[];
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelBytesError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Decodes model bytes and reads our metadata. `schedulerConfigJson` (a diffusers
 * scheduler_config.json) overrides the model's own config; without either, `config` is null.
 */
export function readModelBytes(bytes: Uint8Array, name: string, schedulerConfigJson?: string): ModelBytesSource {
  let summary: ModelSummary;
  try {
    summary = inspectModel(decodeModel(bytes));
  } catch (err) {
    throw new ModelBytesError(`${name} is not an ONNX model: ${(err as Error).message}`);
  }
  if (summary.inputs.length === 0) throw new ModelBytesError(`${name} is not an ONNX model: it has no graph inputs`);
  const meta = summary.metadata;
  const readConfig = (text: string, from: string): SchedulerConfig => {
    try {
      return parseSchedulerConfig(parseJson(text, from));
    } catch (err) {
      throw new ModelBytesError(err instanceof ModelBytesError ? err.message : `invalid scheduler config in ${from}: ${(err as Error).message}`);
    }
  };
  let config: SchedulerConfig | null = null;
  let configFrom: ModelBytesSource['configFrom'] = null;
  if (schedulerConfigJson !== undefined) {
    config = readConfig(schedulerConfigJson, 'scheduler_config.json');
    configFrom = 'scheduler_config.json';
  } else if (meta[KEYS.schedulerConfig] !== undefined) {
    config = readConfig(meta[KEYS.schedulerConfig]!, `${name} metadata ${KEYS.schedulerConfig}`);
    configFrom = 'model metadata';
  }
  const object = (key: string): Record<string, unknown> | null => {
    const raw = meta[key];
    if (raw === undefined) return null;
    const v = parseJson(raw, `${name} metadata ${key}`);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  };
  const modelConfig = object(KEYS.modelConfig);
  const warnings: string[] = [];
  const expected = meta[KEYS.scheduleFingerprint];
  if (config && expected !== undefined && fingerprint(config) !== expected) {
    warnings.push(`the schedule in use (${configFrom}) differs from the one the model was trained with; samples will be off`);
  }
  return {
    name,
    bytes,
    summary,
    config,
    configFrom,
    modelConfig,
    training: object(KEYS.training),
    warnings,
    ...(modelConfig ? describeModelConfig(modelConfig) : {}),
  };
}
