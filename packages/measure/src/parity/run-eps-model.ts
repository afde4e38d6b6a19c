import { type DenoiserModel, sample } from '@onnx-ddpm/sampler';
import { createScheduler, PhiloxNoise } from '@onnx-ddpm/schedule';
import type { ParityJob } from './runtime.js';

/** One model call and one seeded trajectory of `job` on any DenoiserModel (ORT-node, ORT-web, TF.js). */
export async function runEpsModel(model: DenoiserModel, job: ParityJob): Promise<{ call: Float32Array; final: Float32Array; msPerStep: number; modelMsPerStep: number }> {
  const { call: c, trajectory: t } = job;
  // The model may reuse its output buffer on the next call: keep a copy.
  const call = (await model.predict(c.sample, c.shape, c.timestep, c.classLabels)).slice();
  const scheduler = createScheduler(job.config, { method: t.method, steps: t.steps, eta: t.method === 'ddim' ? t.eta : undefined });
  const result = await sample(model, scheduler, {
    batch: t.batch,
    noise: new PhiloxNoise(t.seed),
    classLabels: t.classLabels,
  });
  const { timings } = result;
  return { call, final: result.samples, msPerStep: timings.totalMs / timings.steps, modelMsPerStep: timings.modelMs / timings.steps };
}
