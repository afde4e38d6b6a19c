// The Interpolate panel (`onnx-ddpm interpolate`): from seed A (or an image, inverted with DDIM) to
// seed B (or an image), N frames of deterministic DDIM along the slerp of x_T, drawn as the CLI's
// strip (images) or a row of scatter plots (2-D models), downloadable as PNG. It holds the model
// like a run (state.edit) and has its own Stop.
import { messageOf } from '../actions.js';
import { className } from '../classes.js';
import { drawInterpolationStrip } from '../edit/draw-strip.js';
import { loadModelImage, type ModelImage, refusedMessage } from '../edit/image-input.js';
import { isPointModel } from '../render.js';
import type { InterpolationEnd } from '../sampler.js';
import { isRunning, type Store } from '../state.js';
import { type SamplerClient, StoppedError } from '../worker/client.js';
import type { ModelInfo } from '../worker/protocol.js';
import { downloadBlob } from '../dom/download.js';
import { wireFileButton } from '../dom/file-button.js';
import { elements } from '../dom/elements.js';

const END_MARKUP = (end: 'from' | 'to', label: string, seed: number) => `
  <fieldset class="end" id="${end}-end">
    <legend>${label}</legend>
    <label>Kind <select id="${end}-kind"><option value="seed">seed</option><option value="image">image (inverted)</option></select></label>
    <label id="${end}-seed-field">Seed <input id="${end}-seed" type="number" min="0" step="1" value="${seed}" /></label>
    <div class="file-row" id="${end}-image-field" hidden>
      <button id="${end}-open" type="button" class="button secondary small">Open image…</button>
      <input id="${end}-file" type="file" accept="image/*" hidden tabindex="-1" />
      <span id="${end}-name" class="file-name">no image yet</span>
    </div>
  </fieldset>`;

const MARKUP = `
  <h2 id="interpolate-title">Interpolate</h2>
  <p class="hint">Walks from one x<sub>T</sub> to another along the sphere (slerp) and samples each frame with deterministic DDIM (η = 0),
  as <code>onnx-ddpm interpolate</code>. An image end is first inverted to its x<sub>T</sub> with DDIM (image models only);
  the Sampling panel's runtime and the start image's “Resize images” apply.</p>
  <form id="interpolate-form" class="controls">
    ${END_MARKUP('from', 'From', 1)}
    ${END_MARKUP('to', 'To', 2)}
    <label>Frames <input id="interp-frames" type="number" step="1" value="9" /></label>
    <label>DDIM steps <input id="interp-steps" type="number" min="1" value="20" /></label>
    <label id="interp-points-field">Points per frame <input id="interp-points" type="number" min="1" max="5000" value="500" /></label>
    <label id="interp-class-field">Class <select id="interp-class"></select></label>
    <div class="actions">
      <button id="interpolate" type="submit" class="button" disabled>Interpolate</button>
      <button id="interp-stop" type="button" class="button secondary" disabled>Stop</button>
      <button id="interp-download" type="button" class="button secondary" disabled>Download PNG</button>
    </div>
  </form>
  <p id="interp-status" class="stats">Pick the ends and press Interpolate.</p>
  <p id="interp-announce" class="visually-hidden" aria-live="polite" role="status"></p>
  <figure class="trajectory" id="interp-figure" hidden>
    <figcaption id="interp-caption"></figcaption>
    <div class="strip-wrap"><canvas id="interp-strip" role="img" aria-label="interpolation strip"></canvas></div>
  </figure>`;

function intField(input: HTMLInputElement, name: string, min: number, max: number): number {
  const v = Number(input.value);
  if (input.value.trim() === '' || !Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got '${input.value}'`);
  return v;
}

export function mountInterpolatePanel(store: Store, client: SamplerClient, section: HTMLElement): void {
  section.innerHTML = MARKUP;
  const ui = elements({
    form: 'form#interpolate-form',
    frames: 'input#interp-frames',
    steps: 'input#interp-steps',
    points: 'input#interp-points',
    pointsField: '#interp-points-field',
    classField: '#interp-class-field',
    classSelect: 'select#interp-class',
    go: 'button#interpolate',
    stop: 'button#interp-stop',
    download: 'button#interp-download',
    status: '#interp-status',
    announce: '#interp-announce',
    figure: '#interp-figure',
    caption: '#interp-caption',
    strip: 'canvas#interp-strip',
  });
  const images: Record<'from' | 'to', ModelImage | null> = { from: null, to: null };
  const endUi = (end: 'from' | 'to') =>
    elements({
      kind: `select#${end}-kind`,
      seed: `input#${end}-seed`,
      seedField: `#${end}-seed-field`,
      imageField: `#${end}-image-field`,
      open: `button#${end}-open`,
      file: `input#${end}-file`,
      name: `#${end}-name`,
    });
  const ends = { from: endUi('from'), to: endUi('to') };
  const say = (level: 'info' | 'error', text: string) => store.set({ messages: [{ level, text }] });
  /** The last strip made, for the download: its file name. */
  let made: { name: string } | null = null;

  for (const end of ['from', 'to'] as const) {
    const e = ends[end];
    const sync = () => {
      e.seedField.hidden = e.kind.value !== 'seed';
      e.imageField.hidden = e.kind.value !== 'image';
    };
    e.kind.addEventListener('change', sync);
    wireFileButton(e.open, e.file, async ([file]) => {
      const model = store.get().model?.info;
      if (!file || !model) return;
      const resize = (document.getElementById('resize-images') as HTMLInputElement | null)?.checked ?? false;
      try {
        const img = await loadModelImage(file, model.sampleShape, resize);
        images[end] = img;
        e.name.textContent = img.fitted ? `${img.name} (${img.fitted})` : img.name;
        say('info', `Interpolation ${end === 'from' ? 'start' : 'end'}: ${e.name.textContent}.`);
      } catch (err) {
        const kept = images[end] ? `The previous image, ${images[end]!.name}, is still the ${end === 'from' ? 'start' : 'end'}.` : '';
        say('error', refusedMessage(err, resize, kept));
      }
    });
  }

  /** The two ends and settings as the fields give them; throws with the field's name when one is invalid. */
  const read = (model: ModelInfo) => {
    const points = isPointModel(model.sampleShape);
    const end = (which: 'from' | 'to'): InterpolationEnd & { label: string } => {
      const e = ends[which];
      if (e.kind.value === 'image') {
        const img = images[which];
        if (points) throw new Error('image ends need an image model; this one makes 2-D points (use seeds)');
        if (!img) throw new Error(`${which === 'from' ? 'From' : 'To'}: open an image first, or use a seed`);
        return { images: img.data, label: img.name };
      }
      const seed = intField(e.seed, `${which === 'from' ? 'From' : 'To'} seed`, 0, 2 ** 53 - 1);
      return { seed, label: `seed ${seed}` };
    };
    const from = end('from');
    const to = end('to');
    const items = points ? intField(ui.points, 'Points per frame', 1, 5000) : 1;
    const choice = ui.classSelect.value;
    const classLabels = model.numClasses > 0 ? new Int32Array(items).fill(choice === '' ? model.numClasses : Number(choice)) : null;
    return {
      from: 'seed' in from ? { seed: from.seed } : { images: from.images },
      to: 'seed' in to ? { seed: to.seed } : { images: to.images },
      frames: intField(ui.frames, 'Frames', 2, 32),
      steps: intField(ui.steps, 'DDIM steps', 1, model.trainTimesteps),
      items,
      classLabels,
      title: `${from.label} → ${to.label}`,
    };
  };

  ui.form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const s = store.get();
    if (!s.model || isRunning(s) || s.busy) return;
    const info = s.model.info;
    let settings: ReturnType<typeof read>;
    try {
      settings = read(info);
    } catch (err) {
      say('error', messageOf(err));
      return;
    }
    const { title, ...request } = settings;
    store.set({ edit: { kind: 'interpolate' }, messages: [] });
    ui.status.textContent = 'starting';
    ui.announce.textContent = `Interpolating: ${title}, ${settings.frames} frames.`;
    let phase = 'sampling the frames';
    try {
      const r = await client.interpolate(request, (e) => {
        if (e.kind === 'phase') phase = e.text;
        else ui.status.textContent = `${phase}: step ${e.index}/${e.total}`;
        if (e.kind === 'phase') ui.status.textContent = phase;
      });
      const width = await drawInterpolationStrip(ui.strip, r.samples, settings.frames, info.sampleShape, Math.max(1, Math.round(devicePixelRatio || 1)));
      // Images at twice their pixels on screen (28×28 cells are small), plots at their own size.
      const zoom = isPointModel(info.sampleShape) ? 1 : 2;
      ui.strip.style.width = `${zoom * width}px`;
      ui.strip.classList.toggle('pixelated', zoom > 1);
      ui.strip.setAttribute('aria-label', `interpolation strip: ${title}, ${settings.frames} frames`);
      ui.caption.textContent = `${title}: ${settings.frames} frames, DDIM ${settings.steps} steps (η = 0)`;
      ui.figure.hidden = false;
      const ep = r.executionProvider === 'webgpu' ? 'WebGPU' : 'wasm';
      ui.status.textContent = `${settings.frames} frames · total ${(r.totalMs / 1000).toFixed(2)} s · ${ep}`;
      ui.announce.textContent = `Done: interpolation ${title}, ${settings.frames} frames, in ${(r.totalMs / 1000).toFixed(1)} s.`;
      const stem = info.name.replace(/\.onnx$/i, '').replace(/[^\w.-]+/g, '_');
      made = { name: `onnx-ddpm-${stem}-interpolate-${title.replace(/[^\w.-]+/g, '_')}-${settings.frames}frames-ddim${settings.steps}.png` };
      ui.download.disabled = false;
      store.set({ edit: null, outcome: 'done' });
    } catch (err) {
      const stopped = err instanceof StoppedError;
      const text = stopped ? `Interpolation stopped after step ${err.requestedAfterStep}.` : messageOf(err);
      ui.status.textContent = text;
      ui.announce.textContent = text;
      store.set({ edit: null, outcome: stopped ? 'ready' : 'error', messages: [{ level: stopped ? 'info' : 'error', text }] });
    }
  });
  ui.stop.addEventListener('click', () => client.stop());
  ui.download.addEventListener('click', () => {
    if (!made) return;
    const name = made.name;
    ui.strip.toBlob((blob) => {
      if (!blob) return say('error', 'the browser could not encode the strip as PNG');
      downloadBlob(blob, name);
    }, 'image/png');
  });

  store.subscribe((s, prev) => {
    const info = s.model?.info;
    if (info && info !== prev?.model?.info) {
      const points = isPointModel(info.sampleShape);
      ui.pointsField.hidden = !points;
      ui.classField.hidden = info.numClasses === 0;
      ui.classSelect.replaceChildren(new Option('no label', ''), ...Array.from({ length: info.numClasses }, (_, k) => new Option(`${k}: ${className(info, k)}`, String(k))));
      for (const e of Object.values(ends)) {
        (e.kind.options[1] as HTMLOptionElement).disabled = points;
        if (points) e.kind.value = 'seed';
        e.kind.dispatchEvent(new Event('change'));
      }
      if (info.sampleShape.join() !== prev?.model?.info.sampleShape.join()) {
        images.from = images.to = null;
        ends.from.name.textContent = ends.to.name.textContent = 'no image yet';
      }
      ui.steps.max = String(info.trainTimesteps);
    }
    const running = isRunning(s);
    for (const el of ui.form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>('input, select, button')) el.disabled = running;
    ui.go.disabled = running || !!s.busy || !s.model;
    ui.stop.disabled = !s.edit;
    ui.download.disabled = running || !made;
  });
}
