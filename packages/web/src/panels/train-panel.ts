// The Train mode: data (a 2-D toy, or dropped/opened images or IDX files), backend and settings, Train and
// Stop, the live loss curve and sample preview, Export ONNX and Sample it. Training runs in its own worker
// (train/trainer-worker.ts); this panel only renders what it reports.
import type { ToyName } from '@onnx-ddpm/trainer';
import { messageOf } from '../actions.js';
import { drawQuick, isPointModel } from '../render.js';
import type { TrainerClient } from '../train/client.js';
import { dataFromFiles, describeData, droppedFiles, pickedFiles } from '../train/dropped-files.js';
import { drawLossChart, type LossPoint } from '../train/loss-chart.js';
import type { ImageFileEntry, TrainBackend, TrainData, TrainRunResult, TrainRunSettings } from '../train/protocol.js';
import type { WebGpuStatus } from '../worker/webgpu-adapter.js';
import { downloadBlob } from '../dom/download.js';
import { wireFileButton } from '../dom/file-button.js';
import { elements } from '../dom/elements.js';

/** The Train view's state, for tests and scripts: #train-view[data-state]. */
type TrainViewState = 'loading' | 'ready' | 'running' | 'done' | 'stopped' | 'error';

/** "12.3 steps/s", or "4.2 s/step" when slower than one a second. */
function speed(steps: number, seconds: number): string {
  return steps >= seconds ? `${(steps / seconds).toFixed(1)} steps/s` : `${(seconds / Math.max(1, steps)).toFixed(1)} s/step`;
}

/** Defaults per data kind: the CLI's recipe for toys (models/s-curve.md), a small quick run for images. */
const DEFAULTS = {
  points: { steps: 2000, batch: 256, lr: 2e-3, previewEvery: 250 },
  image: { steps: 300, batch: 16, lr: 1e-3, previewEvery: 100 },
};

export interface TrainPanel {
  /** Called when the Train tab is shown: starts the worker on first use. */
  activate(): void;
}

export function mountTrainPanel(client: () => TrainerClient, sampleIt: (bytes: Uint8Array, name: string) => Promise<void>): TrainPanel {
  const ui = {
    ...elements({
      view: '#train-view',
      form: 'form#train-controls',
      data: 'select#train-data',
      dataInfo: '#train-data-info',
      openFiles: 'button#train-open-files',
      files: 'input#train-files',
      openFolder: 'button#train-open-folder',
      folder: 'input#train-folder',
      size: 'input#train-size',
      channels: 'select#train-channels',
      unetBase: 'input#train-unet-base',
      backend: 'select#train-backend',
      steps: 'input#train-steps',
      batch: 'input#train-batch',
      lr: 'input#train-lr',
      previewEvery: 'input#train-preview-every',
      start: 'button#train-start',
      stop: 'button#train-stop',
      export: 'button#train-export',
      sample: 'button#train-sample',
      messages: '#train-messages',
      bar: '#train-progress-bar',
      progress: '#train-progress',
      stats: '#train-stats',
      loss: 'canvas#train-loss',
      preview: 'canvas#train-preview',
      previewTitle: '#train-preview-title',
    }),
    imageFields: document.querySelectorAll<HTMLElement>('.train-image-field'),
  };
  let started = false;
  let state: TrainViewState = 'loading';
  /** The data in the files last opened or dropped (the data select's "files" option). */
  let fileData: TrainData | null = null;
  let losses: LossPoint[] = [];
  let totalSteps = 1;
  let trained = false;

  const ratio = () => Math.max(1, Math.round(window.devicePixelRatio || 1));
  const chartWidth = () => Math.max(240, Math.min(560, ui.loss.parentElement!.clientWidth - 4));
  const say = (level: 'info' | 'warn' | 'error', text: string) => {
    const p = document.createElement('p');
    p.className = `message ${level}`;
    p.dataset.level = level;
    if (level === 'error') p.setAttribute('role', 'alert');
    p.textContent = text;
    ui.messages.replaceChildren(p);
  };
  const setState = (s: TrainViewState) => {
    state = s;
    ui.view.dataset.state = s;
    const running = s === 'running' || s === 'loading';
    for (const el of ui.form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>('input, select, button')) {
      if (el !== ui.stop && el !== ui.export && el !== ui.sample) el.disabled = running;
    }
    ui.stop.disabled = s !== 'running';
    ui.export.disabled = running || !trained;
    ui.sample.disabled = running || !trained;
  };
  const drawLoss = () => drawLossChart(ui.loss, losses, totalSteps, chartWidth(), 180, ratio());
  /** Images (a folder or IDX) train the U-Net; toys the MLP. */
  const imagesChosen = () => ui.data.value === 'files' && fileData !== null;
  const applyDefaults = () => {
    const d = imagesChosen() ? DEFAULTS.image : DEFAULTS.points;
    ui.steps.value = String(d.steps);
    ui.batch.value = String(d.batch);
    ui.lr.value = String(d.lr);
    ui.previewEvery.value = String(d.previewEvery);
    for (const el of ui.imageFields) el.hidden = !(ui.data.value === 'files' && fileData?.kind === 'images');
    ui.unetBase.closest('label')!.hidden = !imagesChosen();
  };
  const showData = () => {
    ui.dataInfo.textContent = ui.data.value === 'files' && fileData ? describeData(fileData) : describeData({ kind: 'toy', name: ui.data.value.replace(/^toy:/, '') as ToyName });
  };

  /** Takes files the user gave: sorts them into an image folder or IDX files and selects them. */
  const useFiles = async (given: ImageFileEntry[]) => {
    try {
      fileData = await dataFromFiles(given, { size: Number(ui.size.value), channels: Number(ui.channels.value) as 1 | 3 });
      const option = ui.data.querySelector<HTMLOptionElement>('option[value="files"]')!;
      option.disabled = false;
      option.textContent = fileData.kind === 'idx' ? `IDX: ${fileData.images.name}` : `images: ${fileData.name}`;
      ui.data.value = 'files';
      applyDefaults();
      showData();
      ui.messages.replaceChildren();
    } catch (err) {
      say('error', messageOf(err));
    }
  };

  const readSettings = (): TrainRunSettings => {
    const int = (el: HTMLInputElement, name: string, min: number) => {
      const v = Number(el.value);
      if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be a whole number ≥ ${min}, got '${el.value}'`);
      return v;
    };
    const lr = Number(ui.lr.value);
    if (!(lr > 0 && lr < 1)) throw new Error(`learning rate must be in (0, 1), got '${ui.lr.value}'`);
    let data: TrainData;
    if (ui.data.value === 'files') {
      if (!fileData) throw new Error('open or drop an image folder or IDX file first');
      data = fileData.kind === 'images' ? { ...fileData, size: int(ui.size, 'image size', 4), channels: Number(ui.channels.value) as 1 | 3 } : fileData;
    } else {
      data = { kind: 'toy', name: ui.data.value.replace(/^toy:/, '') as ToyName };
    }
    return {
      data,
      backend: ui.backend.value as TrainBackend,
      steps: int(ui.steps, 'steps', 1),
      batch: int(ui.batch, 'batch', 1),
      lr,
      previewEvery: int(ui.previewEvery, 'preview every', 1),
      seed: 0,
      unetBase: int(ui.unetBase, 'U-Net width', 4),
    };
  };

  /** The quick plot (canvas only; an SVG scatter would block this thread for 100+ ms) or the image grid. */
  const showPreview = (samples: Float32Array, shape: number[], step: number) => {
    const points = isPointModel(shape.slice(1));
    const title = `samples at step ${step} (EMA weights, DDIM)`;
    drawQuick(ui.preview, { samples, shape, title: `step ${step}` }, points ? { cssSize: 360, pixelRatio: ratio() } : { scale: 4 });
    ui.preview.style.width = points ? '360px' : '';
    ui.preview.setAttribute('aria-label', title);
    ui.previewTitle.textContent = title;
  };

  const run = async () => {
    let settings: TrainRunSettings;
    try {
      settings = readSettings();
    } catch (err) {
      say('error', messageOf(err));
      return;
    }
    losses = [];
    totalSteps = settings.steps;
    delete ui.stats.dataset.step;
    delete ui.stats.dataset.stopRequestedAfter;
    drawLoss();
    ui.messages.replaceChildren();
    setState('running');
    ui.stop.focus({ preventScroll: true });
    let lastDraw = 0;
    let result: TrainRunResult;
    try {
      result = await client().train(settings, (e) => {
        if (e.kind === 'phase') ui.stats.textContent = e.text;
        else if (e.kind === 'data') ui.dataInfo.textContent = `${e.description}: ${e.count} items of ${e.itemShape.join('×')}${e.numClasses ? `, ${e.numClasses} classes` : ''}`;
        else if (e.kind === 'step') {
          losses.push({ step: e.step, loss: e.loss, emaLoss: e.emaLoss });
          ui.bar.style.width = `${((100 * e.step) / e.total).toFixed(1)}%`;
          ui.progress.setAttribute('aria-valuenow', String(Math.round((100 * e.step) / e.total)));
          ui.stats.textContent = `step ${e.step}/${e.total} · loss ${e.loss.toFixed(4)} · average ${e.emaLoss.toFixed(4)} · ${speed(e.step, e.elapsedMs / 1000)}`;
          ui.stats.dataset.step = String(e.step);
          // At most 10 redraws a second: the curve is for the eye.
          if (e.step === e.total || performance.now() - lastDraw > 100) {
            lastDraw = performance.now();
            drawLoss();
          }
        } else showPreview(e.samples, e.shape, e.step);
      });
    } catch (err) {
      drawLoss();
      say('error', messageOf(err));
      setState('error');
      return;
    }
    drawLoss();
    trained = true;
    const rate = speed(result.step, result.seconds);
    ui.stats.textContent = `${result.stopped ? 'stopped after' : 'done:'} ${result.step} of ${result.total} steps · final loss ${result.loss.toFixed(4)} · average ${result.emaLoss.toFixed(4)} · ${rate} · ${result.device}`;
    ui.stats.dataset.step = String(result.step);
    if (result.stopRequestedAfterStep !== null) ui.stats.dataset.stopRequestedAfter = String(result.stopRequestedAfterStep);
    if (result.stopped) say('info', `Stopped after step ${result.step}; the weights of that step are kept: Export ONNX or Sample it.`);
    setState(result.stopped ? 'stopped' : 'done');
  };

  const exportOnnx = async () => {
    try {
      const { bytes, name } = await client().exportOnnx();
      downloadBlob(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), name);
      say('info', `Exported ${name} (${(bytes.length / 1e3).toFixed(1)} kB, EMA weights).`);
    } catch (err) {
      say('error', messageOf(err));
    }
  };

  const sampleTrained = async () => {
    try {
      const { bytes, name } = await client().exportOnnx();
      await sampleIt(bytes, name);
    } catch (err) {
      say('error', messageOf(err));
    }
  };

  /** Drops onto the page while Train mode shows are training data, not a model to sample. */
  const wireDrop = () => {
    const active = () => !ui.view.hidden;
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    for (const type of ['dragenter', 'dragleave', 'dragover'] as const) {
      document.addEventListener(
        type,
        (e) => {
          if (!active() || !hasFiles(e)) return;
          e.stopPropagation();
          e.preventDefault();
          ui.view.classList.toggle('drop-target', type !== 'dragleave');
        },
        { capture: true },
      );
    }
    document.addEventListener(
      'drop',
      (e) => {
        if (!active() || !hasFiles(e)) return;
        e.stopPropagation();
        e.preventDefault();
        ui.view.classList.remove('drop-target');
        if (state === 'running') return say('warn', 'stop the run first, then drop new data');
        if (e.dataTransfer) void droppedFiles(e.dataTransfer.items).then(useFiles, (err) => say('error', messageOf(err)));
      },
      { capture: true },
    );
  };

  const showWebGpu = (g: WebGpuStatus) => {
    const option = ui.backend.querySelector<HTMLOptionElement>('option[value="webgpu"]')!;
    option.disabled = !g.available;
    option.textContent = !g.available ? 'WebGPU (unavailable)' : g.software ? 'WebGPU (software)' : 'WebGPU';
    ui.backend.value = g.available && !g.software ? 'webgpu' : 'wasm';
    if (!g.available) say('info', `WebGPU is not available (${g.detail}); training on wasm.`);
    else if (g.software) say('info', `WebGPU here is a software renderer (${g.detail}), slower than wasm: training on wasm. WebGPU stays selectable under Backend.`);
  };

  const listToys = (toys: ToyName[]) => {
    ui.data.replaceChildren(
      ...toys.map((name) => new Option(`${name.replace('_', ' ')} (2-D toy)`, `toy:${name}`)),
      Object.assign(new Option('dropped files', 'files'), { disabled: true }),
    );
    showData();
  };
  ui.data.addEventListener('change', () => {
    applyDefaults();
    showData();
  });
  wireFileButton(ui.openFiles, ui.files, (files) => useFiles(pickedFiles(files)));
  wireFileButton(ui.openFolder, ui.folder, (files) => useFiles(pickedFiles(files)));
  ui.form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  ui.stop.addEventListener('click', () => client().stop());
  ui.export.addEventListener('click', () => void exportOnnx());
  ui.sample.addEventListener('click', () => void sampleTrained());
  new ResizeObserver(() => drawLoss()).observe(ui.loss.parentElement!);
  wireDrop();
  applyDefaults();
  setState('loading');
  drawLoss();

  return {
    activate() {
      if (started) return;
      started = true;
      void client().ready.then(
          (r) => {
            listToys(r.toys);
            showWebGpu(r.webgpu);
            ui.stats.textContent = 'Pick the data and press Train.';
            setState('ready');
          },
          (err) => {
            say('error', `the training worker did not start: ${messageOf(err)}`);
            setState('error');
          },
        );
    },
  };
}
