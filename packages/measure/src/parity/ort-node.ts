import type { ExecutionProviderName } from '@onnx-ddpm/sampler/node';
import { runEpsModel } from './run-eps-model.js';
import { type ParityJob, type RuntimeOutput, RuntimeUnavailable } from './runtime.js';

/**
 * Runs the job on onnxruntime-node in this process on exactly one execution provider (no fallback:
 * a provider that cannot start is RuntimeUnavailable, never a silent CPU run).
 */
export async function runOnOrtNode(job: ParityJob, ep: ExecutionProviderName): Promise<RuntimeOutput> {
  const sampler = await import('@onnx-ddpm/sampler/node');
  let model: Awaited<ReturnType<typeof sampler.OrtDenoiser.create>>;
  try {
    model = await sampler.OrtDenoiser.create(job.modelBytes, {
      executionProviders: [ep],
      numClasses: job.numClasses,
      sampleShape: job.sampleShape,
      name: 'parity model',
    });
  } catch (err) {
    if (ep !== 'cpu' && err instanceof sampler.ExecutionProviderError) throw new RuntimeUnavailable(err.message);
    throw err;
  }
  try {
    const out = await runEpsModel(model, job);
    return { ...out, detail: `onnxruntime-node ${sampler.ortVersions().version}, ${ep} EP` };
  } finally {
    await model.dispose();
  }
}
