// The Sampling panel: the settings form, the random-seed button, Generate and Stop. Fields are
// locked while a run uses them; a new model gets its defaults unless the URL gave the settings.
import type { Actions } from '../actions.js';
import { isPointModel } from '../render.js';
import { fields, readUrl, setupClasses, syncEtaField, urlClass } from '../settings.js';
import { isRunning, type Store } from '../state.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Sets the defaults for a freshly opened model: batch for its kind, steps within its T. */
function modelDefaults(itemShape: number[], T: number, given: Set<string>): void {
  if (!given.has('batch')) fields.batch.value = isPointModel(itemShape) ? '1000' : '16';
  if (!given.has('steps')) fields.steps.value = String(Math.min(50, T));
  fields.steps.max = String(T);
}

export function mountSamplePanel(store: Store, actions: Actions): { urlEp: ReturnType<typeof readUrl>['ep'] } {
  const form = $<HTMLFormElement>('controls');
  const generate = $<HTMLButtonElement>('generate');
  const stop = $<HTMLButtonElement>('stop');
  const randomSeed = $<HTMLButtonElement>('random-seed');
  const url = readUrl();
  /** URL settings apply to the first model only; later models get their own defaults. */
  let given = url.given;
  let wantedClass = urlClass();
  syncEtaField();

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void actions.generate();
  });
  stop.addEventListener('click', () => actions.stop());
  fields.method.addEventListener('change', syncEtaField);
  randomSeed.addEventListener('click', () => {
    fields.seed.value = String(crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000); // short enough to read and share
  });

  store.subscribe((s, prev) => {
    if (s.model && s.model.bytes !== prev?.model?.bytes) {
      modelDefaults(s.model.info.sampleShape, s.model.info.trainTimesteps, given);
      given = new Set();
    }
    if (s.model && s.model !== prev?.model) {
      setupClasses(s.model.info, wantedClass);
      wantedClass = null;
    }
    const running = isRunning(s);
    if (prev && running === isRunning(prev) && s.busy === prev.busy && s.model === prev.model) return; // a step of a run: nothing to lock or unlock
    const hadFocus = document.activeElement;
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) {
      if (el !== fields.ep) el.disabled = running;
    }
    randomSeed.disabled = running;
    generate.disabled = running || !!s.busy || !s.model;
    stop.disabled = !s.run;
    // Keep keyboard focus on the button that can act now.
    if (running && hadFocus === generate) stop.focus({ preventScroll: true });
    if (!running && prev?.run && (hadFocus === stop || hadFocus === document.body) && !generate.disabled) generate.focus({ preventScroll: true });
  });
  return { urlEp: url.ep };
}
