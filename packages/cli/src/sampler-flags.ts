import { type SamplingMethod, SchedulerConfigError } from '@onnx-ddpm/schedule';
import { CliError, type OptionSpec, type OptionValues, stringFlag, UsageError } from './command.js';

/** The Node sampler module; commands load it on demand because it pulls in onnxruntime-node. */
export type SamplerNode = typeof import('@onnx-ddpm/sampler/node');
export type ExecutionProviders = ReturnType<SamplerNode['parseExecutionProviders']>;

export function loadNodeSampler(): Promise<SamplerNode> {
  return import('@onnx-ddpm/sampler/node');
}

/** The `--model` option of the commands that run a model: an .onnx file or a diffusers-style folder, as `description` says. */
export function modelOption(description: string): OptionSpec {
  return { type: 'string', valueName: '<file|dir>', description };
}

/** `--method`: the reverse process, ancestral DDPM or DDIM. */
export function methodFlag(values: OptionValues): SamplingMethod {
  const method = stringFlag(values, 'method');
  if (method === 'ddpm' || method === 'ddim') return method;
  throw new UsageError(`--method must be ddpm or ddim, got '${method}'`);
}

/** `--ep`: execution providers in order of preference. */
export function executionProvidersFlag(sampler: SamplerNode, values: OptionValues, fallback: string): ExecutionProviders {
  try {
    return sampler.parseExecutionProviders(stringFlag(values, 'ep') ?? fallback);
  } catch (err) {
    throw new UsageError(`--ep: ${(err as Error).message}`);
  }
}

/** Errors of the sampler that describe bad input (shown as one line, exit code 1), else null. */
export function samplerUserError(sampler: SamplerNode, err: unknown): CliError | null {
  const known = [sampler.SamplerError, sampler.ModelSourceError, sampler.ExecutionProviderError, sampler.NpyError, SchedulerConfigError];
  return known.some((k) => err instanceof k) ? new CliError((err as Error).message) : null;
}
