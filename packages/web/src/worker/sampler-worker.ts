/// <reference lib="webworker" />
// The page's sampling worker: onnxruntime-web, the model's session and the reverse loop all run
// here, so the page's main thread stays free while a run takes seconds (wasm) or compiles shaders
// (WebGPU). Requests are served one after another; a stop request acts at once.
import type { SchedulerConfig } from '@onnx-ddpm/schedule';
import {
  generate,
  type InterpolateSettings,
  interpolateFrames,
  loadOrt,
  type ModelSource,
  type OrtWebDenoiser,
  openModel,
  readModelBytes,
  type WebExecutionProvider,
} from '../sampler.js';
import { drawQuick } from '../render.js';
import { modelInfo } from './model-card.js';
import type { OpenResult, Reply, Request, RunEvent, RunResult, RuntimeInfo, RunSettings, StopRequest } from './protocol.js';
import { describeWebGpu } from './webgpu-adapter.js';
import { yieldToEvents } from './yield-to-events.js';

declare const self: DedicatedWorkerGlobalScope;

type Ort = Awaited<ReturnType<typeof loadOrt>>;
let ort: Ort | null = null;
/** The model the page samples. */
let loaded: { source: ModelSource & { config: SchedulerConfig }; model: OrtWebDenoiser } | null = null;
/** The window.onnxDdpm hook's session, kept while the same bytes, provider and config come back. */
let hookCache: { bytes: Uint8Array; ep: WebExecutionProvider; config: string | undefined; source: ModelSource; model: OrtWebDenoiser } | null = null;
/** The run in progress: its abort switch and the last step it finished. */
let running: { abort: AbortController; step: number } | null = null;
/** The page's preview canvas, drawn here during runs. */
let previewCanvas: OffscreenCanvas | null = null;

class Stopped extends Error {
  constructor(readonly requestedAfterStep: number) {
    super('stopped');
  }
}

function runtime(): Ort {
  if (!ort) throw new Error('onnxruntime-web is not loaded yet');
  return ort;
}

async function init(ortBase: string, threads?: number): Promise<RuntimeInfo> {
  ort = await loadOrt(ortBase, threads);
  const webgpu = await describeWebGpu();
  return { threads: ort.env.wasm.numThreads ?? 1, webgpu };
}

function preference(ep: WebExecutionProvider): WebExecutionProvider[] {
  return ep === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
}

async function open(bytes: Uint8Array, name: string, configJson: string | undefined, ep: WebExecutionProvider): Promise<OpenResult> {
  const source = readModelBytes(bytes, name, { schedulerConfig: configJson });
  if (!source.config) return { kind: 'needs-config', name };
  const skipped: string[] = [];
  const model = await openModel(runtime(), source, preference(ep), (w) => skipped.push(w));
  await loaded?.model.dispose();
  loaded = { source: source as ModelSource & { config: SchedulerConfig }, model };
  return { kind: 'loaded', model: modelInfo(source, model, skipped) };
}

async function run(settings: RunSettings, emit: (e: RunEvent, transfer?: Transferable[]) => void): Promise<RunResult> {
  if (!loaded) throw new Error('no model is loaded');
  const { model, source } = loaded;
  const current = { abort: new AbortController(), step: 0 };
  running = current;
  const t0 = performance.now();
  emit({ kind: 'phase', text: model.executionProvider === 'webgpu' ? 'compiling shaders (first step)' : 'first step' });
  try {
    const result = await generate(model, source.config, {
      ...settings,
      callbackEvery: 1,
      signal: current.abort.signal,
      onStep: async (e) => {
        current.step = e.index;
        const preview = e.index % settings.previewEvery === 0 || e.index === e.total;
        const elapsedMs = performance.now() - t0;
        if (preview) {
          const xt = e.xt.slice();
          const x0 = e.x0.slice();
          const layout = settings.preview;
          const drawn = !!(layout && previewCanvas && e.index < e.total);
          if (drawn) {
            const title = `x̂₀ at step ${e.index}/${e.total}`;
            drawQuick(previewCanvas!, { samples: x0, shape: [settings.batch, ...model.info.sampleShape], rows: layout!.rows, title }, layout!);
          }
          emit({ kind: 'step', index: e.index, total: e.total, t: e.t, elapsedMs, xt, x0, drawn }, [xt.buffer, x0.buffer]);
        } else {
          emit({ kind: 'step', index: e.index, total: e.total, t: e.t, elapsedMs });
        }
        await yieldToEvents();
      },
    });
    return { samples: result.samples, shape: result.shape, totalMs: result.timings.totalMs, steps: result.timings.steps, executionProvider: model.executionProvider };
  } finally {
    running = null;
  }
}

const PHASES = { 'invert-from': 'inverting the first image', 'invert-to': 'inverting the second image', frames: 'sampling the frames' } as const;

/** An interpolation on the page's model (or the hook's): phases, then each step of each phase; Stop ends it. */
async function interpolateRun(
  settings: InterpolateSettings,
  on: { model: OrtWebDenoiser; config: SchedulerConfig },
  emit: (e: RunEvent, transfer?: Transferable[]) => void,
): Promise<RunResult> {
  const { model, config } = on;
  const current = { abort: new AbortController(), step: 0 };
  running = current;
  const t0 = performance.now();
  try {
    const result = await interpolateFrames(model, config, {
      ...settings,
      signal: current.abort.signal,
      onPhase: (phase) => emit({ kind: 'phase', text: PHASES[phase] }),
      onStep: async (e) => {
        current.step = e.index;
        emit({ kind: 'step', index: e.index, total: e.total, t: e.t, elapsedMs: performance.now() - t0 });
        await yieldToEvents();
      },
    });
    return { samples: result.samples, shape: result.shape, totalMs: result.timings.totalMs, steps: result.timings.steps, executionProvider: model.executionProvider };
  } finally {
    running = null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The hook's session: exactly the provider asked for (a parity check must not silently run elsewhere). */
async function hookModel(bytes: Uint8Array, ep: WebExecutionProvider, config?: string) {
  const c = hookCache;
  if (c && c.ep === ep && c.config === config && sameBytes(c.bytes, bytes)) return c;
  await c?.model.dispose();
  hookCache = null;
  const source = readModelBytes(bytes, 'model', { schedulerConfig: config });
  const model = await openModel(runtime(), source, [ep]);
  hookCache = { bytes, ep, config, source, model };
  return hookCache;
}

async function handle(req: Request, emit: (e: RunEvent, transfer?: Transferable[]) => void): Promise<{ value: unknown; transfer?: Transferable[] }> {
  switch (req.type) {
    case 'init':
      return { value: await init(req.ortBase, req.threads) };
    case 'open':
      return { value: await open(req.bytes, req.name, req.configJson, req.ep) };
    case 'preview-canvas':
      previewCanvas = req.canvas;
      return { value: null };
    case 'run': {
      const r = await run(req.settings, emit);
      return { value: r, transfer: [r.samples.buffer] };
    }
    case 'interpolate': {
      let on: { model: OrtWebDenoiser; config: SchedulerConfig };
      if (req.model) {
        const { source, model } = await hookModel(req.model.bytes, req.model.ep, req.model.schedulerConfigJson);
        if (!source.config) throw new Error('the model carries no scheduler config: pass schedulerConfigJson');
        on = { model, config: source.config };
      } else {
        if (!loaded) throw new Error('no model is loaded');
        on = { model: loaded.model, config: loaded.source.config };
      }
      const r = await interpolateRun(req.settings, on, emit);
      return { value: r, transfer: [r.samples.buffer] };
    }
    case 'model-call': {
      const { model } = await hookModel(req.bytes, req.ep);
      const output = Float32Array.from(await model.predict(req.sample, req.shape, req.timestep, req.classLabels));
      return { value: { output, ep: model.executionProvider }, transfer: [output.buffer] };
    }
    case 'sample': {
      const { source, model } = await hookModel(req.bytes, req.ep, req.schedulerConfigJson);
      if (!source.config) throw new Error('the model carries no scheduler config: pass schedulerConfigJson');
      const r = await generate(model, source.config, req.settings);
      const value = {
        samples: r.samples,
        shape: r.shape,
        ep: model.executionProvider,
        msPerStep: r.timings.totalMs / r.timings.steps,
        modelMsPerStep: r.timings.modelMs / r.timings.steps,
      };
      return { value, transfer: [r.samples.buffer] };
    }
  }
}

let queue: Promise<void> = Promise.resolve();

self.onmessage = (ev: MessageEvent<{ id: number; req: Request | StopRequest }>) => {
  const { id, req } = ev.data;
  if (req.type === 'stop') {
    running?.abort.abort(new Stopped(running.step));
    return;
  }
  const post = (reply: Reply, transfer: Transferable[] = []) => self.postMessage(reply, transfer);
  queue = queue.then(async () => {
    try {
      const { value, transfer } = await handle(req, (event, transfer) => post({ id, type: 'event', event }, transfer));
      post({ id, type: 'result', value }, transfer);
    } catch (err) {
      const stopped = err instanceof Stopped ? err.requestedAfterStep : null;
      post({ id, type: 'error', message: err instanceof Error ? err.message : String(err), stopped });
    }
  });
};
