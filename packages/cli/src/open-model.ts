import { basename } from 'node:path';
import type { ModelFileSource, OrtDenoiser } from '@onnx-ddpm/sampler/node';
import type { ExecutionProviders, SamplerNode } from './sampler-flags.js';

/**
 * The denoiser of a loaded model file on onnxruntime-node, named after its file; warnings go to `warn`.
 * `outputsOnDevice`: on WebGPU, x_t stays on the GPU between steps (sampleOrt's device-resident loop).
 */
export function openDenoiser(
  sampler: SamplerNode,
  source: ModelFileSource,
  executionProviders: ExecutionProviders,
  warn: (w: string) => void,
  outputsOnDevice = false,
): Promise<OrtDenoiser> {
  return sampler.OrtDenoiser.create(source.modelPath, {
    executionProviders,
    numClasses: source.numClasses,
    sampleShape: source.sampleShape,
    name: basename(source.modelPath),
    onWarning: warn,
    // ORT's own log would print a failed allocation a second time, raw: its errors reach us as exceptions.
    sessionOptions: { logSeverityLevel: 4 },
    outputsOnDevice,
  });
}
