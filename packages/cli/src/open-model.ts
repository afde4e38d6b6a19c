import { basename } from 'node:path';
import type { ModelSource, OrtEpsModel } from '@onnx-ddpm/sampler/node';
import type { ExecutionProviders, SamplerNode } from './sampler-flags.js';

/** The ε-model of a loaded model source on onnxruntime-node, named after its file; warnings go to `warn`. */
export function openEpsModel(sampler: SamplerNode, source: ModelSource, executionProviders: ExecutionProviders, warn: (w: string) => void): Promise<OrtEpsModel> {
  return sampler.OrtEpsModel.create(source.modelPath, {
    executionProviders,
    numClasses: source.numClasses,
    sampleShape: source.sampleShape,
    name: basename(source.modelPath),
    onWarning: warn,
  });
}
