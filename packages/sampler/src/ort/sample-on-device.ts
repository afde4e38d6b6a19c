import { runReverseLoop, type Scheduler } from '@onnx-ddpm/schedule';
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { assertFinite, checkSampleOptions, LoopTimer, type SampleEditOptions, type SampleOptions, type SampleResult, sample } from '../core/sample.js';
import type { OrtDenoiserBase } from './denoiser.js';
import { buildStepGraph, STEP_GRAPH } from './step-graph.js';

/**
 * The reverse process on an ORT denoiser (onnxruntime-node or -web): the device-resident loop
 * ({@link sampleOnDevice}) when its session keeps outputs on the GPU, else the core `sample()`
 * loop (the data is in host memory anyway). Same options and result as `sample()`; an edited run
 * (img2img, latents, inpainting) takes the core loop, the one that has the editing additions.
 */
export function sampleOrt<EP extends string>(model: OrtDenoiserBase<EP>, scheduler: Scheduler, opts: SampleOptions & SampleEditOptions): Promise<SampleResult> {
  const edited = opts.from !== undefined || opts.inpaint !== undefined;
  return model.outputsOnDevice && !edited ? sampleOnDevice(model, scheduler, opts) : sample(model, scheduler, opts);
}

/**
 * The reverse loop with x_t kept where the model's session puts its outputs (GPU buffers on
 * WebGPU): each step runs the model, then the step graph of step-graph.ts on the same provider,
 * and feeds x_prev straight back. Data comes to the host only for `onStep` (every
 * `callbackEvery` steps) and on the last step: those run the step graph on a second session whose outputs
 * are in host memory, so ORT copies x_prev and x̂_0 back inside the run (onnxruntime-node 1.30
 * cannot download a GPU tensor: its `getData()` aborts the process); non-finite values are caught
 * there. Noise is drawn on the host from `opts.noise` exactly as the core loop draws it, so a seed
 * gives the same image as `sample()` up to float32 rounding.
 */
export async function sampleOnDevice<EP extends string>(model: OrtDenoiserBase<EP>, scheduler: Scheduler, opts: SampleOptions): Promise<SampleResult> {
  const timer = new LoopTimer(performance.now());
  const { batch } = opts;
  const { every, guided, modelBatch, modelLabels } = checkSampleOptions(model, scheduler, opts);
  const { ort } = model;

  const itemShape = [...model.info.sampleShape];
  const itemSize = itemShape.reduce((a, b) => a * b, 1);
  const size = batch * itemSize;
  const shape = [batch, ...itemShape];
  const modelTimesteps = new Int32Array(modelBatch);

  const stepGraph = buildStepGraph(scheduler.config, itemShape, guided);
  const open = (options: InferenceSession.SessionOptions) =>
    ort.InferenceSession.create(stepGraph, { executionProviders: [model.executionProvider], logSeverityLevel: 3, ...options });
  const deviceStep = await open(model.outputsOnDevice ? { preferredOutputLocation: 'gpu-buffer' } : {});
  const hostStep = model.outputsOnDevice ? await open({}) : deviceStep;
  const owned = new Set<Tensor>();
  const release = (t: Tensor) => {
    if (owned.delete(t)) t.dispose();
  };
  try {
    let xt!: Tensor;
    let modelInput!: Tensor;
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
        const feeds: Record<string, Tensor> = {
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
        const toHost = s.index === s.total || (opts.onStep !== undefined && s.report);
        const result = await (toHost ? hostStep : deviceStep).run(feeds);
        release(out);
        release(xt);
        release(modelInput);
        xt = result[STEP_GRAPH.xPrev] as Tensor;
        const x0 = result[STEP_GRAPH.x0] as Tensor;
        owned.add(xt).add(x0);
        modelInput = guided ? (result[STEP_GRAPH.nextModelInput] as Tensor) : xt;
        owned.add(modelInput);
        if (toHost && opts.onStep) {
          await timer.callback(async () => {
            const xtHost = xt.data as Float32Array;
            assertFinite(xtHost, s.index, s.total, s.t);
            await opts.onStep!({ index: s.index, total: s.total, t: s.t, xt: xtHost, x0: x0.data as Float32Array });
          });
        }
        release(x0);
      },
    });
    // The last step ran on the host-output session.
    const samples = Float32Array.from(xt.data as Float32Array);
    const total = scheduler.length;
    assertFinite(samples, total, total, scheduler.timesteps[total - 1]!);
    return { samples, shape, timings: timer.timings(total) };
  } finally {
    for (const t of owned) t.dispose();
    await deviceStep.release();
    if (hostStep !== deviceStep) await hostStep.release();
  }
}

function concatTwice(x: Float32Array): Float32Array {
  const out = new Float32Array(2 * x.length);
  out.set(x, 0);
  out.set(x, x.length);
  return out;
}
