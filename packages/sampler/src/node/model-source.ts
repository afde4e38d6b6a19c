import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSummary } from '@onnx-ddpm/onnx';
import type { SchedulerConfig } from '@onnx-ddpm/schedule';
import { decodeModelBytes, type JsonText, type ModelSource, ModelSourceError, readModelBytes } from '../core/model-source.js';

/** A model file with the scheduler config it is sampled with. */
export interface ModelFileSource extends ModelSource {
  /** The .onnx file. */
  modelPath: string;
  config: SchedulerConfig;
  configFrom: string;
}

async function kindOf(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

async function readText(path: string, what: string): Promise<JsonText> {
  try {
    return { text: await readFile(path, 'utf8'), from: path };
  } catch (err) {
    throw new ModelSourceError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

async function readBytes(modelPath: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(modelPath));
  } catch (err) {
    throw new ModelSourceError(`cannot read ${modelPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
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
  const bytes = await readBytes(modelPath);
  return { bytes, summary: decodeModelBytes(bytes, modelPath) };
}

/**
 * Resolves `path` — an .onnx file with our metadata, or a diffusers-style folder
 * (`unet/model.onnx` + `scheduler/scheduler_config.json`) — to model bytes and a scheduler config
 * (read by the pure {@link readModelBytes}). `schedulerConfigPath` overrides whatever config the model carries.
 */
export async function loadModelSource(path: string, opts: { schedulerConfigPath?: string } = {}): Promise<ModelFileSource> {
  const modelPath = await resolveModelFile(path);
  const folder: { schedulerConfig?: JsonText; modelConfig?: JsonText } = {};
  if (modelPath !== path) {
    for (const c of [join(path, 'scheduler', 'scheduler_config.json'), join(path, 'scheduler_config.json')]) {
      if (folder.schedulerConfig === undefined && (await kindOf(c)) === 'file') folder.schedulerConfig = await readText(c, 'scheduler config');
    }
    const unetConfig = join(path, 'unet', 'config.json');
    if ((await kindOf(unetConfig)) === 'file') folder.modelConfig = await readText(unetConfig, 'model config');
  }
  const schedulerConfig = opts.schedulerConfigPath === undefined ? undefined : await readText(opts.schedulerConfigPath, 'scheduler config');
  const source = readModelBytes(await readBytes(modelPath), modelPath, { schedulerConfig, folder });
  const { config, configFrom } = source;
  if (!config || !configFrom) {
    throw new ModelSourceError(`${modelPath} carries no onnx_ddpm.scheduler_config metadata; give a scheduler config with --scheduler-config <file.json>`);
  }
  return { ...source, modelPath, config, configFrom };
}
