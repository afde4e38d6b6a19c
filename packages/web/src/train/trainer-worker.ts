/// <reference lib="webworker" />
// The page's training worker: TF.js (wasm or WebGPU), the dataset, the trainer core's loop (the same
// steps, model modules, Adam, EMA and exporter as `onnx-ddpm train`) and the kept run all live here, so
// the page's main thread stays free. Requests are served one after another; a stop acts at once.
import {
  activateBackend,
  applyOnnxLayout,
  BatchSampler,
  createLocalEngine,
  createModel,
  type Dataset,
  ensureGradients,
  exportTrainedRun,
  hyperOf,
  idxDataset,
  makeToyDataset,
  oneTrainingStep,
  resolveTrainConfig,
  runTrainingSteps,
  TOY_NAMES,
  transposeArray,
} from '@onnx-ddpm/trainer';
import { describeWebGpu } from '../worker/webgpu-adapter.js';
import { yieldToEvents } from '../worker/yield-to-events.js';
import { imageFolderDataset } from './image-dataset.js';
import type { RunState, TrainBackend, TrainData, TrainEvent, TrainInitResult, TrainReply, TrainRequest, TrainRunResult, TrainRunSettings, TrainStopRequest } from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

let wasmPaths = '';
/** The active TF.js backend and its device. */
let backend: { name: TrainBackend; device: string } | null = null;
/** The run in progress: whether Stop was asked for, and the step it had done then. */
let running: { stop: boolean; step: number; stopRequestedAfterStep: number | null } | null = null;
/** The last run's model, kept after it ends or is stopped (Export ONNX and Sample it use it). */
let kept: RunState | null = null;

async function useBackend(name: TrainBackend): Promise<string> {
  if (backend?.name === name) return backend.device;
  await ensureGradients();
  const attempt = await activateBackend(name, { wasmPaths });
  if (!attempt.ok) throw new Error(`cannot train on ${name}: ${attempt.reason}`);
  backend = { name, device: `${name}: ${attempt.device}` };
  return backend.device;
}

async function loadData(data: TrainData, seed: number): Promise<Dataset> {
  switch (data.kind) {
    case 'toy':
      // The CLI's toy: 10 000 points from the run's seed.
      return makeToyDataset(`toy:${data.name}`, data.name, seed, 10_000);
    case 'idx':
      return idxDataset(`idx:${data.images.name}`, data.images, data.labels, { warn: () => {} });
    case 'images':
      return imageFolderDataset(data.name, data.files, data.size, data.channels);
  }
}

/** NHWC previews as the page draws them: NCHW. */
function toOnnxLayout(samples: Float32Array, shape: number[]): { samples: Float32Array; shape: number[] } {
  if (shape.length !== 4) return { samples, shape };
  const [n, h, w, c] = shape as [number, number, number, number];
  return { samples: transposeArray(samples, shape, [0, 3, 1, 2]), shape: [n, c, h, w] };
}

async function train(s: TrainRunSettings, emit: (e: TrainEvent, transfer?: Transferable[]) => void): Promise<TrainRunResult> {
  const current = { stop: false, step: 0, stopRequestedAfterStep: null as number | null };
  running = current;
  try {
    emit({ kind: 'phase', text: `starting ${s.backend}` });
    const device = await useBackend(s.backend);
    emit({ kind: 'phase', text: 'loading the data' });
    const dataset = await loadData(s.data, s.seed);
    emit({ kind: 'data', description: dataset.source, itemShape: dataset.itemShape, count: dataset.count, numClasses: dataset.numClasses });
    const points = dataset.kind === 'points';
    const config = resolveTrainConfig(
      dataset,
      { spec: dataset.spec },
      {
        train: { steps: s.steps, batchSize: s.batch, lr: s.lr, seed: s.seed, previewEvery: s.previewEvery, logEvery: 1, ...(points ? { previewCount: 500, previewSteps: 25 } : { previewCount: 16, previewSteps: 20 }) },
        ...(points ? {} : { model: { baseChannels: s.unetBase, groups: Math.min(8, s.unetBase) } }),
      },
    );
    const engine = createLocalEngine({ modelConfig: config.model, train: hyperOf(config), seed: s.seed }, s.backend);
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const named = createModel(config.model, s.seed);
    const params = named.params.map((p, i) => ({ name: named.paramNames[i]!, shape: p.shape.slice() }));
    named.dispose();
    emit({ kind: 'phase', text: s.backend === 'webgpu' ? 'first step (compiling shaders)' : 'first step' });
    let result: { step: number; loss: number; emaLoss: number };
    try {
      result = await runTrainingSteps({
        config,
        engine,
        sampler: BatchSampler.forConfig(dataset, config),
        firstStep: 0,
        lastStep: s.steps,
        loss: Number.NaN,
        emaLoss: Number.NaN,
        elapsed,
        shouldStop: () => current.stop,
        diverged: (loss, step) => new Error(`the loss became ${loss} at step ${step}; try a lower learning rate`),
        onStep: (step, loss, emaLoss) => {
          current.step = step;
          emit({ kind: 'step', step, total: s.steps, loss, emaLoss, elapsedMs: performance.now() - started });
        },
        onPreview: (step, samples, shape) => {
          const p = toOnnxLayout(samples, shape);
          emit({ kind: 'preview', step, samples: p.samples, shape: p.shape }, [p.samples.buffer]);
        },
        afterStep: yieldToEvents,
      });
      // Stopped or done, the weights of the last finished step stay.
      kept = { step: result.step, config, params, state: await engine.getState(), metrics: { loss: result.loss, emaLoss: result.emaLoss, backend: s.backend, elapsedSeconds: elapsed() } };
    } finally {
      await engine.dispose();
    }
    return {
      ...result,
      total: s.steps,
      seconds: elapsed(),
      device,
      stopped: result.step < s.steps,
      stopRequestedAfterStep: current.stopRequestedAfterStep,
    };
  } finally {
    running = null;
  }
}

function requireRun(): RunState {
  if (!kept) throw new Error('nothing is trained yet: press Train first');
  return kept;
}

/** The kept run's EMA weights as ONNX, named after its data and steps. */
function exportRun(): { bytes: Uint8Array; name: string } {
  const run = requireRun();
  const model = createModel(run.config.model, run.config.train.seed);
  try {
    const bytes = exportTrainedRun(run, model, { useEma: true });
    const data = run.config.data.spec
      .replace(/^(toy|idx|folder):/, '')
      .replace(/\.gz$/i, '')
      .replace(/[-.]idx\d-ubyte$/i, '')
      .replace(/[^\w.-]+/g, '_');
    return { bytes, name: `trained-${data}-${run.step}steps.onnx` };
  } finally {
    model.dispose();
  }
}

async function forward(r: Extract<TrainRequest, { type: 'forward' }>): Promise<Float32Array> {
  const run = requireRun();
  const model = createModel(run.config.model, run.config.train.seed);
  try {
    model.setWeights(run.state.ema);
    return await applyOnnxLayout(model, r.sample, r.shape, r.timestep, r.classLabels);
  } finally {
    model.dispose();
  }
}

async function handle(req: TrainRequest, emit: (e: TrainEvent, transfer?: Transferable[]) => void): Promise<unknown> {
  switch (req.type) {
    case 'init': {
      wasmPaths = req.wasmPaths;
      const result: TrainInitResult = { webgpu: await describeWebGpu(), toys: [...TOY_NAMES] };
      return result;
    }
    case 'train':
      return train(req.settings, emit);
    case 'export':
      return exportRun();
    case 'run-state':
      return requireRun();
    case 'forward':
      return forward(req);
    case 'train-step': {
      const device = await useBackend(req.backend);
      return { ...(await oneTrainingStep(req.init, req.batch)), device };
    }
  }
}

/** Requests run one after another; a stop request is handled at once. */
let queue: Promise<void> = Promise.resolve();
self.onmessage = (ev: MessageEvent<{ id: number; req: TrainRequest | TrainStopRequest }>) => {
  const { id, req } = ev.data;
  if (req.type === 'stop') {
    if (running && !running.stop) {
      running.stop = true;
      running.stopRequestedAfterStep = running.step;
    }
    return;
  }
  const reply = (r: TrainReply, transfer: Transferable[] = []) => self.postMessage(r, transfer);
  queue = queue.then(async () => {
    try {
      const value = await handle(req, (event, transfer) => reply({ id, type: 'event', event }, transfer));
      reply({ id, type: 'result', value });
    } catch (err) {
      reply({ id, type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  });
};
