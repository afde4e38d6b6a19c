import { type SamplingMethod, SchedulerConfigError } from '@onnx-ddpm/schedule';
import { CliError, type OptionSpec, type OptionValues, stringFlag, stringOption, UsageError } from './command.js';

/** The Node sampler module; commands load it on demand because it pulls in onnxruntime-node. */
export type SamplerNode = typeof import('@onnx-ddpm/sampler/node');
export type ExecutionProviders = ReturnType<SamplerNode['parseExecutionProviders']>;

export function loadNodeSampler(): Promise<SamplerNode> {
  return import('@onnx-ddpm/sampler/node');
}

/** The `--model` option of the commands that run a model: an .onnx file or a diffusers-style folder, as `description` says. */
export function modelOption(description: string): OptionSpec {
  return stringOption('<file|dir>', description);
}

/** `--ep`: execution providers in order of preference (read by executionProvidersFlag). */
export function epOption(fallback: string): OptionSpec {
  return stringOption('<list>', 'execution providers in order of preference: cuda, webgpu, cpu', fallback);
}

/** `--save-npy <file.npy>`: what the command writes as float32 .npy, as `description` says. */
export function saveNpyOption(description: string): OptionSpec {
  return stringOption('<file.npy>', description);
}

/** `--method`: the reverse process, ancestral DDPM or DDIM. */
export function methodFlag(values: OptionValues): SamplingMethod {
  const method = stringFlag(values, 'method');
  if (method === 'ddpm' || method === 'ddim') return method;
  throw new UsageError(`--method must be ddpm or ddim, got '${method}'`);
}

/** `--ep` (see epOption): execution providers in order of preference. */
export function executionProvidersFlag(sampler: SamplerNode, values: OptionValues): ExecutionProviders {
  try {
    return sampler.parseExecutionProviders(stringFlag(values, 'ep') ?? '');
  } catch (err) {
    throw new UsageError(`--ep: ${(err as Error).message}`);
  }
}

/** Errors of the sampler that describe bad input (shown as one line, exit code 1), else null. */
export function samplerUserError(sampler: SamplerNode, err: unknown): CliError | null {
  const known = [sampler.SamplerError, sampler.ModelSourceError, sampler.ExecutionProviderError, sampler.NpyError, SchedulerConfigError];
  return known.some((k) => err instanceof k) ? new CliError((err as Error).message) : null;
}
