import './style.css';
import {
  type ModelSource,
  type OrtWebEpsModel,
  readModelBytes,
  type WebExecutionProvider,
  webGpuUnavailableReason,
} from '@onnx-ddpm/sampler/web';
import { createScheduler, type SamplingMethod } from '@onnx-ddpm/schedule';
import { installHook } from './api.js';
import { generate, openModel } from './engine.js';
import { drawSamples, isPointModel } from './render.js';


const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  badge: $<HTMLSpanElement>('ep-badge'),
  modelFile: $<HTMLInputElement>('model-file'),
  configFile: $<HTMLInputElement>('config-file'),
  card: $<HTMLDListElement>('model-card'),
  messages: $<HTMLDivElement>('messages'),
  form: $<HTMLFormElement>('controls'),
  method: $<HTMLSelectElement>('method'),
  steps: $<HTMLInputElement>('steps'),
  eta: $<HTMLInputElement>('eta'),
  etaField: $<HTMLLabelElement>('eta-field'),
  seed: $<HTMLInputElement>('seed'),
  batch: $<HTMLInputElement>('batch'),
  classField: $<HTMLLabelElement>('class-field'),
  classSelect: $<HTMLSelectElement>('class'),
  guidanceField: $<HTMLLabelElement>('guidance-field'),
  guidance: $<HTMLInputElement>('guidance'),
  previewEvery: $<HTMLInputElement>('preview-every'),
  ep: $<HTMLSelectElement>('ep'),
  generate: $<HTMLButtonElement>('generate'),
  stop: $<HTMLButtonElement>('stop'),
  progress: document.querySelector<HTMLDivElement>('.progress')!,
  bar: $<HTMLDivElement>('progress-bar'),
  stats: $<HTMLParagraphElement>('stats'),
  canvas: $<HTMLCanvasElement>('canvas'),
  download: $<HTMLButtonElement>('download'),
};

/** Class names of the datasets the trainer knows by name (training metadata `dataset`). */
const CLASS_NAMES: Record<string, string[]> = {
  'fashion-mnist': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};
const EACH_CLASS = 'each';

let source: ModelSource | null = null;
let model: OrtWebEpsModel | null = null;
/** A model without a scheduler config, waiting for its scheduler_config.json. */
let awaitingConfig: { bytes: Uint8Array; name: string } | null = null;
let running: AbortController | null = null;
let webGpuReason: string | null = null;

type Level = 'info' | 'warn' | 'error';
function say(level: Level, text: string): void {
  const p = document.createElement('p');
  p.className = `message ${level}`;
  p.dataset.level = level;
  p.textContent = text;
  ui.messages.append(p);
}
function clearMessages(): void {
  ui.messages.replaceChildren();
}
function setState(state: 'loading' | 'ready' | 'running' | 'done' | 'error'): void {
  document.body.dataset.state = state;
}
function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function cardRow(term: string, value: string): void {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  ui.card.append(dt, dd);
}

function datasetOf(s: ModelSource): string | undefined {
  const d = s.training?.dataset;
  return typeof d === 'string' ? d.split(':')[0] : undefined;
}

function showCard(s: ModelSource, m: OrtWebEpsModel | null): void {
  ui.card.replaceChildren();
  cardRow('File', `${s.name} (${(s.bytes.length / 1e6).toFixed(2)} MB)`);
  const shape = m?.info.sampleShape ?? s.sampleShape;
  if (shape) cardRow('Items', isPointModel(shape) ? `${shape[0]}-D points` : `${shape.join('×')} images (C×H×W)`);
  const classes = m?.info.numClasses ?? s.numClasses;
  if (classes !== undefined) cardRow('Classes', classes === 0 ? 'unconditional' : String(classes));
  cardRow('Parameters', s.summary.parameterCount.toLocaleString('en-US'));
  if (s.config) {
    const c = s.config;
    cardRow('Schedule', `${c.beta_schedule} β, T = ${c.num_train_timesteps}, ${c.prediction_type} (${s.configFrom})`);
  } else {
    cardRow('Schedule', 'missing: choose a scheduler_config.json');
  }
  const t = s.training;
  if (t) {
    const parts = ['dataset', 'steps', 'batch', 'final_loss', 'backend']
      .filter((k) => t[k] !== undefined)
      .map((k) => `${k} ${typeof t[k] === 'number' ? Number((t[k] as number).toPrecision(4)) : String(t[k])}`);
    cardRow('Training', parts.join(', '));
  }
  cardRow('Graph', `${s.summary.nodeCount} nodes, opset ${s.summary.opsets.find((o) => o.domain === '')?.version ?? '?'}, ${s.summary.producer}`);
  if (m) cardRow('Runtime', `${m.executionProvider === 'webgpu' ? 'WebGPU' : 'wasm'}`);
}

function setupClasses(s: ModelSource, m: OrtWebEpsModel): void {
  const k = m.info.numClasses;
  ui.classField.hidden = k === 0;
  ui.guidanceField.hidden = k === 0;
  ui.classSelect.replaceChildren();
  if (k === 0) return;
  const names = CLASS_NAMES[datasetOf(s) ?? ''];
  const add = (value: string, label: string) => ui.classSelect.append(new Option(label, value));
  add(EACH_CLASS, 'each class in turn');
  for (let i = 0; i < k; i++) add(String(i), names?.[i] ? `${i}: ${names[i]}` : `class ${i}`);
  add(String(k), 'no label (unconditional)');
}

function updateBadge(): void {
  if (!model) {
    ui.badge.textContent = 'no model';
    return;
  }
  const threads = crossOriginIsolated ? 'threads on' : 'single thread';
  ui.badge.textContent = model.executionProvider === 'webgpu' ? 'running on WebGPU' : `running on wasm (${threads})`;
  ui.badge.dataset.ep = model.executionProvider;
}

function preference(): WebExecutionProvider[] {
  return ui.ep.value === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'];
}

/** Reads bytes as a model; keeps the previous model when the new one cannot be used. */
async function useModel(bytes: Uint8Array, name: string, configJson?: string): Promise<void> {
  clearMessages();
  setState('loading');
  let next: ModelSource;
  try {
    next = readModelBytes(bytes, name, { schedulerConfig: configJson });
  } catch (err) {
    say('error', errorText(err));
    setState(model ? 'ready' : 'error');
    return;
  }
  if (!next.config) {
    awaitingConfig = { bytes, name };
    say('warn', `${name} carries no scheduler config (no onnx_ddpm metadata): choose its scheduler_config.json with “Scheduler config…”.`);
    showCard(next, null);
    ui.generate.disabled = true;
    setState('error');
    return;
  }
  awaitingConfig = null;
  for (const w of next.warnings) say('warn', w);
  await openOn(next);
}

async function openOn(next: ModelSource): Promise<void> {
  setState('loading');
  ui.generate.disabled = true;
  let opened: OrtWebEpsModel;
  try {
    opened = await openModel(next, preference(), (w) => say('warn', w));
  } catch (err) {
    say('error', errorText(err));
    setState(model ? 'ready' : 'error');
    if (model) ui.generate.disabled = false;
    return;
  }
  await model?.dispose();
  model = opened;
  const fresh = source !== next && source?.bytes !== next.bytes;
  source = next;
  if (ui.ep.value === 'webgpu' && opened.executionProvider !== 'webgpu') ui.ep.value = 'wasm';
  showCard(next, opened);
  setupClasses(next, opened);
  if (fresh) {
    resetOutput();
    const points = isPointModel(opened.info.sampleShape);
    ui.batch.value = points ? '1000' : '16';
    ui.steps.value = String(Math.min(50, next.config!.num_train_timesteps));
    ui.steps.max = String(next.config!.num_train_timesteps);
  }
  updateBadge();
  ui.generate.disabled = false;
  setState('ready');
}

function intField(input: HTMLInputElement, name: string, min: number): number {
  const v = Number(input.value);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}, got '${input.value}'`);
  return v;
}

function classLabels(batch: number): Int32Array | null {
  if (!model || model.info.numClasses === 0) return null;
  const k = model.info.numClasses;
  if (ui.classSelect.value === EACH_CLASS) return Int32Array.from({ length: batch }, (_, i) => i % k);
  return new Int32Array(batch).fill(Number(ui.classSelect.value));
}

/** Blank canvas and stats: the last output belonged to another model. */
function resetOutput(): void {
  ui.canvas.getContext('2d')?.clearRect(0, 0, ui.canvas.width, ui.canvas.height);
  ui.download.disabled = true;
  ui.stats.textContent = 'Pick the settings and press Generate.';
  delete ui.stats.dataset.msPerStep;
  setProgress(0);
}

/** While sampling, the model and runtime cannot change under the loop. */
function setBusy(busy: boolean): void {
  for (const el of [ui.ep, ui.modelFile, ui.configFile]) el.disabled = busy;
  for (const label of document.querySelectorAll<HTMLLabelElement>('.file-row label')) label.classList.toggle('disabled', busy);
}

function setProgress(fraction: number): void {
  ui.bar.style.width = `${(100 * fraction).toFixed(1)}%`;
  ui.progress.setAttribute('aria-valuenow', String(Math.round(100 * fraction)));
}

async function onGenerate(ev: Event): Promise<void> {
  ev.preventDefault();
  if (!model || !source?.config || running) return;
  const m = model;
  const config = source.config;
  clearMessages();
  let settings: Parameters<typeof generate>[1];
  try {
    const method = ui.method.value as SamplingMethod;
    const batch = intField(ui.batch, 'Batch', 1);
    const steps = intField(ui.steps, 'Steps', 1);
    const scheduler = createScheduler(config, { method, steps, eta: method === 'ddim' ? Number(ui.eta.value) : undefined });
    const labels = classLabels(batch);
    const guidance = labels && !ui.guidanceField.hidden && ui.classSelect.value !== String(m.info.numClasses) ? Number(ui.guidance.value) : undefined;
    if (guidance !== undefined && !Number.isFinite(guidance)) throw new Error(`Guidance must be a number, got '${ui.guidance.value}'`);
    settings = { scheduler, seed: intField(ui.seed, 'Seed', 0), batch, classLabels: labels, guidance, callbackEvery: intField(ui.previewEvery, 'Preview every', 1) };
  } catch (err) {
    say('error', errorText(err));
    return;
  }
  running = new AbortController();
  setBusy(true);
  ui.generate.disabled = true;
  ui.stop.disabled = false;
  ui.download.disabled = true;
  setState('running');
  setProgress(0);
  const t0 = performance.now();
  const shape = [settings.batch, ...m.info.sampleShape];
  try {
    const result = await generate(m, {
      ...settings,
      signal: running.signal,
      onStep: async (e) => {
        setProgress(e.index / e.total);
        const ms = (performance.now() - t0) / e.index;
        ui.stats.textContent = `step ${e.index}/${e.total} · ${ms.toFixed(1)} ms/step · preview of x̂₀ at t = ${e.t}`;
        if (e.index < e.total) await drawSamples(ui.canvas, e.x0, shape, `x̂₀ at step ${e.index}/${e.total}`);
      },
    });
    const { totalMs, steps } = result.timings;
    await drawSamples(ui.canvas, result.samples, result.shape, `${settings.scheduler.method.toUpperCase()}, ${steps} steps, seed ${settings.seed}`);
    const msPerStep = totalMs / steps;
    ui.stats.textContent = `${steps} steps · ${msPerStep.toFixed(1)} ms/step · total ${(totalMs / 1000).toFixed(2)} s · ${m.executionProvider === 'webgpu' ? 'WebGPU' : 'wasm'}`;
    ui.stats.dataset.msPerStep = msPerStep.toFixed(3);
    ui.download.disabled = false;
    setState('done');
  } catch (err) {
    say('error', running.signal.aborted ? 'stopped' : errorText(err));
    setState(running.signal.aborted ? 'ready' : 'error');
  } finally {
    running = null;
    setBusy(false);
    ui.generate.disabled = false;
    ui.stop.disabled = true;
  }
}

function downloadPng(): void {
  ui.canvas.toBlob((blob) => {
    if (!blob) return say('error', 'the browser could not encode the canvas as PNG');
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `onnx-ddpm-${ui.method.value}-${ui.steps.value}steps-seed${ui.seed.value}.png`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }, 'image/png');
}

async function readFileInput(input: HTMLInputElement): Promise<File | null> {
  const file = input.files?.[0] ?? null;
  input.value = '';
  return file;
}

function wire(): void {
  ui.form.addEventListener('submit', (ev) => void onGenerate(ev));
  ui.stop.addEventListener('click', () => running?.abort(new Error('stopped')));
  ui.download.addEventListener('click', downloadPng);
  ui.method.addEventListener('change', () => {
    ui.etaField.hidden = ui.method.value !== 'ddim';
  });
  ui.ep.addEventListener('change', () => {
    if (source) void openOn(source);
  });
  ui.modelFile.addEventListener('change', async () => {
    const file = await readFileInput(ui.modelFile);
    if (file) await useModel(new Uint8Array(await file.arrayBuffer()), file.name);
  });
  ui.configFile.addEventListener('change', async () => {
    const file = await readFileInput(ui.configFile);
    if (!file) return;
    const text = await file.text();
    const target = awaitingConfig ?? (source ? { bytes: source.bytes, name: source.name } : null);
    if (!target) return say('error', 'open a model first');
    await useModel(target.bytes, target.name, text);
  });
}

async function start(): Promise<void> {
  setState('loading');
  wire();
  const hook = installHook();
  try {
    await hook.ready;
  } catch (err) {
    say('error', `onnxruntime-web did not load: ${errorText(err)}`);
    setState('error');
    return;
  }
  webGpuReason = await webGpuUnavailableReason();
  if (webGpuReason) {
    ui.ep.value = 'wasm';
    (ui.ep.options[0] as HTMLOptionElement).disabled = true;
    (ui.ep.options[0] as HTMLOptionElement).textContent = 'WebGPU (unavailable)';
  }
  let bytes: Uint8Array;
  try {
    const res = await fetch(__DEFAULT_MODEL__);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    say('error', `cannot load the default model ${__DEFAULT_MODEL__}: ${errorText(err)}; open a .onnx file instead`);
    setState('error');
    return;
  }
  await useModel(bytes, __DEFAULT_MODEL__.split('/').at(-1)!);
  if (webGpuReason) say('info', `WebGPU is not available (${webGpuReason}); sampling on wasm instead.`);
}

void start();
