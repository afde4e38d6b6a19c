import { runReverseLoop, type Scheduler } from '@onnx-ddpm/schedule';
import type * as OrtWeb from 'onnxruntime-web';
import { assertFinite, checkSampleOptions, LoopTimer, type SampleOptions, type SampleResult, sample } from '../core/sample.js';
import type { OrtWebEpsModel } from './ort-web-eps-model.js';
import { buildStepGraph, STEP_GRAPH } from './step-graph.js';

/**
 * The reverse process on onnxruntime-web: on WebGPU the device-resident loop
 * ({@link sampleOnDevice}), on wasm the core `sample()` loop (the data is in host memory anyway).
 * Same options and result as `sample()`.
 */
export function sampleWeb(model: OrtWebEpsModel, scheduler: Scheduler, opts: SampleOptions): Promise<SampleResult> {
  return model.executionProvider === 'webgpu' ? sampleOnDevice(model, scheduler, opts) : sample(model, scheduler, opts);
}

/**
 * The reverse loop with x_t kept where the model's session puts its outputs (GPU buffers on
 * WebGPU): each step runs the model, then the step graph of step-graph.ts on the same provider,
 * and feeds x_prev straight back. Data comes back to the host only for `onStep` (every
 * `callbackEvery` steps) and for the final x_0; non-finite values are caught there. Noise is
 * drawn on the host from `opts.noise` exactly as the core loop draws it, so a seed gives the same
 * image as `sample()` up to float32 rounding.
 */
export async function sampleOnDevice(model: OrtWebEpsModel, scheduler: Scheduler, opts: SampleOptions): Promise<SampleResult> {
  const timer = new LoopTimer(performance.now());
  const { batch } = opts;
  const { every, guided, modelBatch, modelLabels } = checkSampleOptions(model, opts);
  const { ort } = model;

  const itemShape = [...model.info.sampleShape];
  const itemSize = itemShape.reduce((a, b) => a * b, 1);
  const size = batch * itemSize;
  const shape = [batch, ...itemShape];
  const modelTimesteps = new Int32Array(modelBatch);

  const stepSession = await ort.InferenceSession.create(buildStepGraph(scheduler.config, itemShape, guided), {
    executionProviders: [model.executionProvider],
    logSeverityLevel: 3,
    ...(model.executionProvider === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
  });
  const owned = new Set<OrtWeb.Tensor>();
  const release = (t: OrtWeb.Tensor) => {
    if (owned.delete(t)) t.dispose();
  };
  try {
    let xt!: OrtWeb.Tensor;
    let modelInput!: OrtWeb.Tensor;
    // The step graph always takes a z; steps without noise have s = 0.
    const z = new Float32Array(size);
    const zTensor = new ort.Tensor('float32', z, shape);
    const scalar = (v: number) => new ort.Tensor('float32', new Float32Array([v]), []);
    const loop = { noise: opts.noise, batch, itemSize, firstSample: opts.firstSample, callbackEvery: every, signal: opts.signal };
    await runReverseLoop(scheduler, loop, {
      start: (xT) => {
        xt = new ort.Tensor('float32', xT, shape);
        modelInput = guided ? new ort.Tensor('float32', concatTwice(xT), [modelBatch, ...itemShape]) : xt;
      },
      step: async (s) => {
        modelTimesteps.fill(s.t);
        const out = await timer.model(() => model.forward(modelInput, modelTimesteps, modelLabels));
        owned.add(out);
        if (s.z) z.set(s.z);
        const c = scheduler.coefficients(s.k);
        const feeds: Record<string, OrtWeb.Tensor> = {
          [STEP_GRAPH.xt]: xt,
          [STEP_GRAPH.modelOutput]: out,
          [STEP_GRAPH.z]: zTensor,
          alpha: scalar(c.alpha),
          beta: scalar(c.beta),
          p: scalar(c.p),
          q: scalar(c.q),
          s: scalar(c.s),
        };
        if (guided) feeds[STEP_GRAPH.guidanceScale] = scalar(opts.guidance!);
        const result = await stepSession.run(feeds);
        release(out);
        release(xt);
        release(modelInput);
        xt = result[STEP_GRAPH.xPrev] as OrtWeb.Tensor;
        const x0 = result[STEP_GRAPH.x0] as OrtWeb.Tensor;
        owned.add(xt).add(x0);
        modelInput = guided ? (result[STEP_GRAPH.nextModelInput] as OrtWeb.Tensor) : xt;
        owned.add(modelInput);
        if (opts.onStep && s.report) {
          await timer.callback(async () => {
            const xtHost = (await xt.getData()) as Float32Array;
            assertFinite(xtHost, s.index, s.total, s.t);
            await opts.onStep!({ index: s.index, total: s.total, t: s.t, xt: xtHost, x0: (await x0.getData()) as Float32Array });
          });
        }
        release(x0);
      },
    });
    const samples = Float32Array.from((await xt.getData()) as Float32Array);
    const total = scheduler.length;
    assertFinite(samples, total, total, scheduler.timesteps[total - 1]!);
    return { samples, shape, timings: timer.timings(total) };
  } finally {
    for (const t of owned) t.dispose();
    await stepSession.release();
  }
}

function concatTwice(x: Float32Array): Float32Array {
  const out = new Float32Array(2 * x.length);
  out.set(x, 0);
  out.set(x, x.length);
  return out;
}
