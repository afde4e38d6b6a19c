import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ModelFileSource, OrtDenoiser } from '@onnx-ddpm/sampler/node';
import { type OptionValues, requiredString } from './command.js';
import { executionProvidersFlag, loadNodeSampler, type SamplerNode, samplerUserError } from './sampler-flags.js';

export interface OpenModelOptions {
  /** --scheduler-config: a scheduler config overriding the model's metadata. */
  schedulerConfigPath?: string;
  /** On WebGPU, x_t stays on the GPU between steps (sampleOrt's device-resident loop). */
  outputsOnDevice?: boolean;
}

/** What a command runs with: the Node sampler module, the opened model and its source, and its warnings. */
export interface ModelRun {
  sampler: SamplerNode;
  model: OrtDenoiser;
  source: ModelFileSource;
  /** Prints `onnx-ddpm <command>: warning: …` and keeps the message in `warnings`. */
  warn: (message: string) => void;
  warnings: string[];
}

/**
 * For a command that runs a model: loads the sampler (onnxruntime-node, on demand), the model of its --model
 * (an .onnx file or a diffusers-style folder) and opens it on the command's --ep, named after its file;
 * runs `use` and disposes the model after. The sampler's errors about bad input become one-line CLI errors.
 */
export async function withModel<T>(
  command: string,
  values: OptionValues,
  opts: OpenModelOptions,
  use: (run: ModelRun) => Promise<T>,
): Promise<T> {
  const modelPath = requiredString(values, 'model');
  const sampler = await loadNodeSampler();
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    process.stderr.write(`onnx-ddpm ${command}: warning: ${message}\n`);
  };
  let model: OrtDenoiser | undefined;
  try {
    const executionProviders = executionProvidersFlag(sampler, values);
    const source = await sampler.loadModelSource(modelPath, { schedulerConfigPath: opts.schedulerConfigPath });
    for (const w of source.warnings) warn(w);
    model = await sampler.OrtDenoiser.create(source.modelPath, {
      executionProviders,
      numClasses: source.numClasses,
      sampleShape: source.sampleShape,
      name: basename(source.modelPath),
      onWarning: warn,
      // ORT's own log would print a failed allocation a second time, raw: its errors reach us as exceptions.
      sessionOptions: { logSeverityLevel: 4 },
      outputsOnDevice: opts.outputsOnDevice ?? false,
    });
    return await use({ sampler, model, source, warn, warnings });
  } catch (err) {
    throw samplerUserError(sampler, err) ?? err;
  } finally {
    await model?.dispose();
  }
}

/** SHA-256 of a model file, as `sha256:<hex>`: names the exact model in a shard's sidecar and in eval's report. */
export async function fileDigest(path: string): Promise<string> {
  return `sha256:${createHash('sha256').update(await readFile(path)).digest('hex')}`;
}
