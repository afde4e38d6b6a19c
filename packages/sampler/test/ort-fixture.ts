// The linear ε-model of a spec on onnxruntime-node's CPU EP, shared by the tests of a file or a describe block.
import { afterAll, beforeAll } from 'vitest';
import { OrtDenoiser, type OrtDenoiserOptions } from '../src/node/index.js';
import { buildLinearModel, type LinearModelSpec } from './node-test-models.js';

/** Opens the model before the tests (of the enclosing file or describe block) and disposes it after; call the getter inside them. */
export function linearModelOnCpu(spec: LinearModelSpec, opts: Omit<OrtDenoiserOptions, 'executionProviders'> = {}): () => OrtDenoiser {
  let model: OrtDenoiser | undefined;
  beforeAll(async () => {
    model = await OrtDenoiser.create(buildLinearModel(spec), { executionProviders: ['cpu'], ...opts });
  });
  afterAll(async () => {
    await model?.dispose();
  });
  return () => model!;
}
