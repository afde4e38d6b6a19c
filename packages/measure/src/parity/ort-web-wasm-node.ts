import { runEpsModel } from './run-eps-model.js';
import type { ParityRuntime } from './runtime.js';

/** onnxruntime-web's Node build on its wasm EP, in this process. */
export const ortWebWasmNode: ParityRuntime = {
  id: 'ort-web-wasm-node',
  label: 'ORT-web wasm (Node)',
  async run(job) {
    const web = await import('@onnx-ddpm/sampler/web');
    const model = await web.OrtWebDenoiser.create(job.modelBytes, {
      executionProviders: ['wasm'],
      numClasses: job.numClasses,
      sampleShape: job.sampleShape,
      name: 'parity model',
    });
    try {
      const out = await runEpsModel(model, job);
      const { env } = model.ort;
      return { ...out, detail: `onnxruntime-web ${env.versions.web ?? env.versions.common}, wasm EP, ${threads(env.wasm.numThreads)}` };
    } finally {
      await model.dispose();
    }
  },
};

function threads(n: number | undefined): string {
  return n === undefined || n === 0 ? 'threads: auto' : `${n} thread${n === 1 ? '' : 's'}`;
}
