import { computeTables, type SchedulerConfig, stepAddsNoise } from '@onnx-ddpm/schedule';
import type * as OrtWeb from 'onnxruntime-web';
import { NonFiniteError } from '../core/errors.js';
import { planReverseSteps } from '../core/reverse-timesteps.js';
import { checkSampleOptions, type SampleOptions, type SampleResult, sample } from '../core/sample.js';
import type { OrtWebEpsModel } from './ort-web-eps-model.js';
import { buildStepGraph, STEP_GRAPH, stepCoefficients } from './step-graph.js';

/**
 * The reverse process on onnxruntime-web: on WebGPU the device-resident loop
 * ({@link sampleOnDevice}), on wasm the core `sample()` loop (the data is in host memory anyway).
 * Same options and result as `sample()`.
 */
export function sampleWeb(model: OrtWebEpsModel, config: SchedulerConfig, opts: SampleOptions): Promise<SampleResult> {
  return model.executionProvider === 'webgpu' ? sampleOnDevice(model, config, opts) : sample(model, config, opts);
}

/**
 * The reverse loop with x_t kept where the model's session puts its outputs (GPU buffers on
 * WebGPU): each step runs the model, then the step graph of step-graph.ts on the same provider,
 * and feeds x_prev straight back. Data comes back to the host only for `onStep` (every
 * `callbackEvery` steps) and for the final x_0; non-finite values are caught there. Noise is
 * drawn on the host from `opts.noise` exactly as the core loop draws it, so a seed gives the same
 * image as `sample()` up to float32 rounding.
 */
export async function sampleOnDevice(model: OrtWebEpsModel, config: SchedulerConfig, opts: SampleOptions): Promise<SampleResult> {
  const startMs = performance.now();
  const { batch, method } = opts;
  const { eta, every, guided, modelBatch, modelLabels } = checkSampleOptions(model, opts);
  const plan = planReverseSteps(config, method, opts.steps);
  const tables = computeTables(config);
  const { ort } = model;

  const itemShape = [...model.info.sampleShape];
  const size = batch * itemShape.reduce((a, b) => a * b, 1);
  const shape = [batch, ...itemShape];
  const modelTimesteps = new Int32Array(modelBatch);

  const stepSession = await ort.InferenceSession.create(buildStepGraph(config, itemShape, guided), {
    executionProviders: [model.executionProvider],
    logSeverityLevel: 3,
    ...(model.executionProvider === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
  });
  const owned = new Set<OrtWeb.Tensor>();
  const release = (t: OrtWeb.Tensor) => {
    if (owned.delete(t)) t.dispose();
  };
  try {
    const xT = new Float32Array(size);
    opts.noise.fill(0, xT);
    let xt: OrtWeb.Tensor = new ort.Tensor('float32', xT, shape);
    let modelInput: OrtWeb.Tensor = guided ? new ort.Tensor('float32', concatTwice(xT), [modelBatch, ...itemShape]) : xt;
    const z = new Float32Array(size);
    const zTensor = new ort.Tensor('float32', z, shape);
    const scalar = (v: number) => new ort.Tensor('float32', new Float32Array([v]), []);
    let modelMs = 0;
    let callbackMs = 0;
    const total = plan.t.length;
    for (let k = 0; k < total; k++) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('sampling aborted');
      const t = plan.t[k]!;
      const prevT = plan.prevT[k]!;
      modelTimesteps.fill(t);
      const m0 = performance.now();
      const out = await model.forward(modelInput, modelTimesteps, modelLabels);
      modelMs += performance.now() - m0;
      owned.add(out);
      const addsNoise = stepAddsNoise(method, t, prevT, eta);
      if (addsNoise) opts.noise.fill(k + 1, z);
      const c = stepCoefficients(tables, config, method, t, prevT, eta);
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
      if (opts.onStep && ((k + 1) % every === 0 || k + 1 === total)) {
        const c0 = performance.now();
        const xtHost = (await xt.getData()) as Float32Array;
        assertFinite(xtHost, k + 1, total, t);
        await opts.onStep({ index: k + 1, total, t, xt: xtHost, x0: (await x0.getData()) as Float32Array });
        callbackMs += performance.now() - c0;
      }
      release(x0);
    }
    const samples = Float32Array.from((await xt.getData()) as Float32Array);
    assertFinite(samples, total, total, plan.t[total - 1]!);
    const totalMs = performance.now() - startMs;
    return { samples, shape, timings: { modelMs, loopMs: totalMs - modelMs - callbackMs, callbackMs, totalMs, steps: total } };
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

function assertFinite(x: Float32Array, step: number, total: number, t: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) throw new NonFiniteError(step, total, t, i, v);
  }
}
