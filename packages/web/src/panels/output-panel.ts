// The Samples panel: progress and status from the first moment of a run, the live x̂₀ preview, the
// result (announced to screen readers), the trajectory strip and the PNG download, all from the
// run that produced them.
import { type BatchPicture, context, drawBatch, drawQuick, drawTrajectory, encodeDownload, isPointModel } from '../render.js';
import type { PageState, RunOutput, RunRecord, Store } from '../state.js';
import type { SamplerClient } from '../worker/client.js';
import type { PreviewLayout } from '../worker/protocol.js';
import { downloadBlob } from '../dom/download.js';
import { elements } from '../dom/elements.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The file name of a run's download: model, method, steps, η, class and guidance, seed. */
export function downloadName(r: RunRecord): string {
  const stem = r.modelName.replace(/\.onnx$/i, '').replace(/[^\w.-]+/g, '_');
  const parts = [`onnx-ddpm-${stem}`, `${r.method}-${r.steps}steps`];
  if (r.method === 'ddim' && r.eta !== 0) parts.push(`eta${r.eta}`);
  if (r.classChoice !== null) parts.push(`class-${r.classChoice}`);
  if (r.guidance !== undefined) parts.push(`guidance${r.guidance}`);
  if (r.start) parts.push(r.start.mask ? `inpaint-s${r.start.strength}` : `img2img-s${r.start.strength}`);
  parts.push(`seed${r.seed}`);
  return `${parts.join('-')}.png`;
}

function runTitle(r: RunRecord, steps: number): string {
  const start = r.start ? `, ${r.start.mask ? 'inpainting' : 'img2img'} at strength ${r.start.strength}` : '';
  return `${r.method.toUpperCase()}, ${steps} steps, seed ${r.seed}${start}`;
}

function picture(record: RunRecord, samples: Float32Array, shape: number[], title: string): BatchPicture {
  const rows = record.rowLabels && record.classLabels ? { labels: record.classLabels, names: record.rowLabels } : null;
  return { samples, shape, rows, title };
}

function summary(o: RunOutput): string {
  const ep = o.executionProvider === 'webgpu' ? 'WebGPU' : 'wasm';
  return `${o.steps} steps · ${(o.totalMs / o.steps).toFixed(1)} ms/step · total ${(o.totalMs / 1000).toFixed(2)} s · ${ep}`;
}

/** How the worker should lay out x̂₀ previews for a run, or undefined when the page draws them. */
export type PreviewLayoutFor = (record: RunRecord, itemShape: number[]) => PreviewLayout | undefined;

export function mountOutputPanel(store: Store, client: SamplerClient): { previewLayout: PreviewLayoutFor } {
  const ui = {
    ...elements({
      panel: '#output-panel',
      progress: '#progress',
      bar: '#progress-bar',
      stats: '#stats',
      announce: '#announce',
      canvas: 'canvas#canvas',
      preview: 'canvas#preview',
      download: 'button#download',
      trajectory: '#trajectory',
      strip: 'canvas#strip',
    }),
    wrap: document.querySelector<HTMLElement>('.canvas-wrap')!,
  };
  const ratio = () => Math.max(1, Math.round(window.devicePixelRatio || 1));
  /** Points are plotted for the panel's width (so their text is not shrunk on a phone). */
  const plotSize = () => Math.max(128, Math.min(512, ui.wrap.clientWidth - 20));
  /** Plots and labelled grids are shown at their own size; plain grids scale up, pixelated. */
  const sizeOnScreen = (canvas: HTMLCanvasElement, natural: boolean, cssWidth: string) => {
    canvas.classList.toggle('natural', natural);
    const width = natural ? cssWidth : '';
    if (canvas.style.width !== width) canvas.style.width = width;
  };
  // x̂₀ previews are drawn by the worker on its own canvas where the browser allows it.
  const workerDraws = client.attachPreview(ui.preview);
  /** One draw at a time; a picture that arrives meanwhile waits, and only the latest waiting one is drawn. */
  let drawing = false;
  let waiting: { p: BatchPicture; preview: boolean } | null = null;
  const draw = async (p: BatchPicture, preview = false): Promise<void> => {
    waiting = { p, preview };
    if (drawing) return;
    drawing = true;
    while (waiting) {
      const { p: next, preview: quick } = waiting;
      waiting = null;
      const points = isPointModel(next.shape.slice(1));
      const opts = { cssSize: plotSize(), pixelRatio: ratio() };
      try {
        if (quick) drawQuick(ui.canvas, next, opts);
        else await drawBatch(ui.canvas, next, opts);
        ui.canvas.setAttribute('aria-label', next.title ?? 'generated samples');
        sizeOnScreen(ui.canvas, points || !!next.rows, `${ui.canvas.width / opts.pixelRatio}px`);
      } catch (err) {
        store.set({ messages: [{ level: 'error', text: `cannot draw the samples: ${(err as Error).message}` }] });
      }
    }
    drawing = false;
  };
  /** Shows the worker's preview canvas (during a run) or the page's own. */
  const showPreviewCanvas = (show: boolean) => {
    ui.preview.hidden = !show;
    ui.canvas.hidden = show;
  };
  const setProgress = (fraction: number) => {
    ui.bar.style.width = `${(100 * fraction).toFixed(1)}%`;
    ui.progress.setAttribute('aria-valuenow', String(Math.round(100 * fraction)));
  };
  const drawOutput = (o: RunOutput) => void draw(picture(o.record, o.samples, o.shape, runTitle(o.record, o.steps)));
  /** The strip of the last run (drawn when it ends: during a run the preview shows x̂₀ live). */
  const drawStrip = (s: PageState) => {
    const frames = s.output?.frames ?? [];
    const model = s.model?.info;
    ui.trajectory.hidden = frames.length === 0 || !model;
    if (!frames.length || !model) return;
    drawTrajectory(ui.strip, frames, model.sampleShape, ratio());
    const which = isPointModel(model.sampleShape) ? 'the first 300 points' : 'the first sample';
    $('trajectory-caption').textContent = `Trajectory of ${which}: xₜ (top) and x̂₀ (bottom) over the steps`;
  };

  ui.download.addEventListener('click', async () => {
    const o = store.get().output;
    if (!o) return;
    try {
      const blob = await encodeDownload(picture(o.record, o.samples, o.shape, runTitle(o.record, o.steps)));
      downloadBlob(blob, downloadName(o.record));
    } catch (err) {
      store.set({ messages: [{ level: 'error', text: (err as Error).message }] });
    }
  });
  // Points are plotted for the panel's width (legible text on a phone): redraw when it changes.
  let lastWidth = ui.wrap.clientWidth;
  new ResizeObserver(() => {
    const o = store.get().output;
    if (ui.wrap.clientWidth === lastWidth) return;
    lastWidth = ui.wrap.clientWidth;
    if (o && !store.get().run && isPointModel(o.shape.slice(1))) drawOutput(o);
  }).observe(ui.wrap);

  store.subscribe((s, prev) => {
    const run = s.run;
    if (run && run !== prev?.run) {
      if (!prev?.run) {
        ui.download.disabled = true;
        ui.trajectory.hidden = true; // the previous run's
        ui.announce.textContent = `Sampling started: ${runTitle(run.record, run.record.steps)}.`;
        // On a phone the output is below the settings: bring it into view.
        if (window.matchMedia('(max-width: 760px)').matches) ui.panel.scrollIntoView({ behavior: 'smooth', block: 'start' });
      }
      setProgress(run.total ? run.index / run.total : 0);
      ui.stats.textContent = run.status + (run.preview ? ` · preview of x̂₀ at t = ${run.preview.t}` : '');
      const fresh = run.preview && run.preview !== prev?.run?.preview && run.preview.index < run.total ? run.preview : null;
      if (fresh && run.preview?.drawn) {
        // The worker drew it: show its canvas, say what it shows.
        const title = `x̂₀ at step ${fresh.index}/${run.total}`;
        if (ui.preview.getAttribute('aria-label') !== title) ui.preview.setAttribute('aria-label', title);
        if (ui.preview.hidden) {
          const points = isPointModel(s.model?.info.sampleShape ?? []);
          sizeOnScreen(ui.preview, points || !!run.record.rowLabels, points ? `${plotSize()}px` : 'auto');
          showPreviewCanvas(true);
        }
      } else if (fresh && s.model) {
        void draw(picture(run.record, fresh.x0, [run.record.batch, ...s.model.info.sampleShape], `x̂₀ at step ${fresh.index}/${run.total}`), true);
      }
    }
    if (s.output !== prev?.output) {
      const o = s.output;
      ui.download.disabled = !o;
      showPreviewCanvas(false);
      if (o) {
        setProgress(1);
        drawOutput(o);
        setTimeout(() => drawStrip(store.get()), 0); // its own task, after the result is on screen
        ui.stats.textContent = summary(o);
        ui.stats.dataset.msPerStep = (o.totalMs / o.steps).toFixed(3);
        ui.announce.textContent = `Done: ${o.record.batch} samples, ${runTitle(o.record, o.steps)}, in ${(o.totalMs / 1000).toFixed(1)} s.`;
      } else if (!run) {
        context(ui.canvas).clearRect(0, 0, ui.canvas.width, ui.canvas.height);
        ui.trajectory.hidden = true;
        setProgress(0);
        ui.stats.textContent = 'Pick the settings and press Generate.';
        delete ui.stats.dataset.msPerStep;
      }
    }
    if (!run && prev?.run && s.output === prev.output) {
      showPreviewCanvas(false);
      // Stopped or failed: the last output (if any) stays, the status says what happened.
      ui.stats.textContent = s.messages[0]?.text ?? 'Stopped.';
      ui.announce.textContent = s.messages[0]?.text ?? '';
      ui.download.disabled = !s.output;
      // For tests and scripts: how far the worker got between receiving Stop and ending.
      if (s.lastStop !== prev.lastStop && s.lastStop) {
        ui.stats.dataset.stopRequestedAfter = String(s.lastStop.requestedAfterStep);
        ui.stats.dataset.stoppedAfter = String(s.lastStop.endedAfterStep);
      }
      if (s.output) drawOutput(s.output);
      else setProgress(0);
      drawStrip(s);
    }
  });
  return {
    previewLayout: (record, itemShape) =>
      workerDraws
        ? {
            cssSize: plotSize(),
            pixelRatio: ratio(),
            rows: record.rowLabels && record.classLabels && !isPointModel(itemShape) ? { labels: record.classLabels, names: record.rowLabels } : null,
          }
        : undefined,
  };
}
