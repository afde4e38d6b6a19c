// "Start from" in the Sampling form (issue 14): noise, an image (img2img: `onnx-ddpm sample --init
// --strength`) or an image and a mask painted over it (inpainting: `--mask`, white = keep;
// `--resample`). Its fields are read at Generate like the form's others and locked while a run uses
// them; a refused image or mask leaves the previous one in place and says why.
import { loadMaskFile, loadModelImage, type ModelImage, refusedMessage } from '../edit/image-input.js';
import { createMaskEditor } from '../edit/mask-editor.js';
import { isPointModel } from '../render.js';
import type { StartFrom } from '../sampler.js';
import { isRunning, type Store } from '../state.js';
import type { ModelInfo } from '../worker/protocol.js';
import { wireFileButton } from '../dom/file-button.js';
import { elements } from '../dom/elements.js';

type Mode = 'noise' | 'image' | 'mask';

const MARKUP = `
  <legend>Start from</legend>
  <div class="start-modes" role="radiogroup" aria-label="Start from">
    <label><input type="radio" name="start-mode" value="noise" checked /> noise</label>
    <label><input type="radio" name="start-mode" value="image" /> an image</label>
    <label><input type="radio" name="start-mode" value="mask" /> an image + mask</label>
  </div>
  <div class="start-image" id="start-image-fields" hidden>
    <div class="file-row">
      <button id="open-start-image" type="button" class="button secondary small">Open image…</button>
      <input id="start-image-file" type="file" accept="image/*" hidden tabindex="-1" />
      <span id="start-image-name" class="file-name">no image yet</span>
    </div>
    <label class="check"><input id="resize-images" type="checkbox" /> Resize images that do not fit the model</label>
    <label>Strength <span class="range-row"><input id="strength" type="range" min="0" max="1" step="0.05" value="0.6" aria-describedby="strength-hint" /><output id="strength-value" for="strength">0.60</output></span></label>
    <p id="strength-hint" class="hint">0 returns the image, 1 samples from noise; in between, noise it to t = s·T and sample from there.</p>
  </div>
  <div class="start-mask" id="start-mask-fields" hidden>
    <p class="hint" id="mask-hint"><strong>White = keep</strong> (as the CLI's <code>--mask</code>): paint the part of the image to keep; the rest (tinted blue) is generated.</p>
    <div class="mask-wrap">
      <canvas id="mask-canvas" class="mask-canvas" tabindex="0" role="application" aria-roledescription="mask painter" aria-describedby="mask-hint mask-keys" aria-label="Mask over the start image"></canvas>
      <figure class="mask-preview"><canvas id="mask-preview" role="img" aria-label="The mask: white = keep, black = generate"></canvas><figcaption>mask</figcaption></figure>
    </div>
    <p id="mask-keys" class="hint">Keyboard: arrow keys move the brush (Shift: 4 px), Space paints, Shift+Space erases.</p>
    <div class="mask-tools">
      <label>Brush <span class="range-row"><input id="brush-size" type="range" min="1" max="10" step="1" value="4" /><output id="brush-size-value" for="brush-size">4 px</output></span></label>
      <label>Paints <select id="brush-paint"><option value="1">keep (white)</option><option value="0">generate (black)</option></select></label>
      <label>Resample <input id="resample" type="number" step="1" value="1" /></label>
    </div>
    <div class="file-row">
      <button id="mask-clear" type="button" class="button secondary small">Clear</button>
      <button id="mask-invert" type="button" class="button secondary small">Invert</button>
      <button id="open-mask" type="button" class="button secondary small">Load mask…</button>
      <input id="mask-file" type="file" accept="image/*" hidden tabindex="-1" />
    </div>
  </div>`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Mounts the fields into `fieldset`; returns the reader Generate calls (undefined = from noise). */
export function mountEditPanel(store: Store, fieldset: HTMLFieldSetElement): { readStart: (model: ModelInfo) => StartFrom | undefined } {
  fieldset.innerHTML = MARKUP;
  const ui = {
    ...elements({
      imageFields: '#start-image-fields',
      maskFields: '#start-mask-fields',
      open: 'button#open-start-image',
      file: 'input#start-image-file',
      name: '#start-image-name',
      resize: 'input#resize-images',
      strength: 'input#strength',
      strengthValue: 'output#strength-value',
      brush: 'input#brush-size',
      brushValue: 'output#brush-size-value',
      paint: 'select#brush-paint',
      resample: 'input#resample',
      clear: 'button#mask-clear',
      invert: 'button#mask-invert',
      openMask: 'button#open-mask',
      maskFile: 'input#mask-file',
    }),
    modes: [...fieldset.querySelectorAll<HTMLInputElement>('input[name=start-mode]')],
  };
  const editor = createMaskEditor($('mask-canvas'), $('mask-preview'), () => undefined);
  /** The image to start from, fitted to the loaded model, and its file (refitted when the model changes). */
  let image: (ModelImage & { file: File }) | null = null;
  const mode = (): Mode => (ui.modes.find((r) => r.checked)?.value as Mode) ?? 'noise';
  const say = (level: 'info' | 'error', text: string) => store.set({ messages: [{ level, text }] });

  const showImage = (img: ModelImage & { file: File }, model: ModelInfo) => {
    image = img;
    ui.name.textContent = img.fitted ? `${img.name} (${img.fitted})` : img.name;
    editor.setImage(img.data, model.sampleShape);
  };
  const sync = () => {
    const m = mode();
    ui.imageFields.hidden = m === 'noise';
    ui.maskFields.hidden = m !== 'mask' || !image;
  };
  for (const r of ui.modes) {
    r.addEventListener('change', () => {
      const m = mode();
      // The CLI's default strength: 0.6 for img2img, 1 with a mask.
      if (m !== 'noise') ui.strength.value = m === 'mask' ? '1' : '0.6';
      ui.strength.dispatchEvent(new Event('input'));
      sync();
    });
  }
  ui.strength.addEventListener('input', () => {
    ui.strengthValue.value = Number(ui.strength.value).toFixed(2);
  });
  ui.brush.addEventListener('input', () => {
    editor.brush = Number(ui.brush.value);
    ui.brushValue.value = `${ui.brush.value} px`;
  });
  ui.paint.addEventListener('change', () => {
    editor.paint = ui.paint.value === '0' ? 0 : 1;
  });
  ui.clear.addEventListener('click', () => editor.clear());
  ui.invert.addEventListener('click', () => editor.invert());
  wireFileButton(ui.open, ui.file, async ([file]) => {
    const model = store.get().model?.info;
    if (!file || !model) return;
    const resize = ui.resize.checked;
    try {
      const img = await loadModelImage(file, model.sampleShape, resize);
      showImage({ ...img, file }, model);
      sync();
      say('info', `Start image: ${ui.name.textContent}.`);
    } catch (err) {
      say('error', refusedMessage(err, resize, image ? `The previous image, ${image.name}, is still the start image.` : ''));
    }
  });
  wireFileButton(ui.openMask, ui.maskFile, async ([file]) => {
    const model = store.get().model?.info;
    if (!file || !model || !image) return;
    const [, h, w] = model.sampleShape as [number, number, number];
    try {
      editor.setMask(await loadMaskFile(file, h, w));
      say('info', `Mask: ${file.name}.`);
    } catch (err) {
      say('error', refusedMessage(err, false, 'The mask painted before is unchanged.'));
    }
  });

  store.subscribe((s, prev) => {
    if (s.model !== prev?.model) {
      const info = s.model?.info;
      fieldset.hidden = !info || isPointModel(info.sampleShape);
      // Another model: the start image is fitted to it again, or dropped with the reason.
      if (image && info && s.model?.bytes !== prev?.model?.bytes) {
        const file = image.file;
        image = null;
        ui.name.textContent = 'no image yet';
        if (!isPointModel(info.sampleShape)) {
          loadModelImage(file, info.sampleShape, ui.resize.checked).then(
            (img) => showImage({ ...img, file }, info),
            (err) => say('info', `The start image no longer fits the model: ${refusedMessage(err, ui.resize.checked)}`),
          );
        }
      }
      sync();
    }
    const running = isRunning(s);
    if (prev && running === isRunning(prev)) return;
    for (const el of fieldset.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLButtonElement>('input, select, button')) el.disabled = running;
    editor.setDisabled(running);
  });

  return {
    readStart(model) {
      const m = mode();
      if (m === 'noise' || isPointModel(model.sampleShape)) return undefined;
      if (!image) throw new Error('Start from an image: open one first (“Open image…”), or start from noise');
      const strength = Number(ui.strength.value);
      if (m === 'image') return { x0: image.data, strength };
      const resample = Number(ui.resample.value);
      if (ui.resample.value.trim() === '' || !Number.isInteger(resample) || resample < 1 || resample > 20) {
        throw new Error(`Resample must be an integer from 1 to 20, got '${ui.resample.value}'`);
      }
      // The mask is painted per pixel: the same for every channel (the CLI broadcasts an H×W mask the same way).
      const plane = editor.mask();
      const [channels] = model.sampleShape as [number];
      const mask = new Float32Array(channels * plane.length);
      for (let c = 0; c < channels; c++) mask.set(plane, c * plane.length);
      return { x0: image.data, strength, mask, resample };
    },
  };
}
