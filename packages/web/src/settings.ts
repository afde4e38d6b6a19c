// The Sampling form: its fields → a run's settings (with clear errors), and to/from the URL so a
// result can be shared and reproduced.
import { className, classLabels, EACH_CLASS, NO_LABEL } from './classes.js';
import type { RunRecord } from './state.js';
import type { ModelInfo, SamplingMethod, WebExecutionProvider } from './worker/protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export const fields = {
  method: $<HTMLSelectElement>('method'),
  steps: $<HTMLInputElement>('steps'),
  eta: $<HTMLInputElement>('eta'),
  seed: $<HTMLInputElement>('seed'),
  batch: $<HTMLInputElement>('batch'),
  classSelect: $<HTMLSelectElement>('class'),
  guidance: $<HTMLInputElement>('guidance'),
  previewEvery: $<HTMLInputElement>('preview-every'),
  ep: $<HTMLSelectElement>('ep'),
};

/** URL parameter → field. `ep` is applied by the model panel (it decides where models open). */
const URL_FIELDS = {
  method: fields.method,
  steps: fields.steps,
  eta: fields.eta,
  seed: fields.seed,
  batch: fields.batch,
  class: fields.classSelect,
  guidance: fields.guidance,
  every: fields.previewEvery,
} as const;

function intField(input: HTMLInputElement, name: string, min: number, max = Number.POSITIVE_INFINITY): number {
  const v = Number(input.value);
  if (input.value.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${name} must be an integer ${max < Number.POSITIVE_INFINITY ? `from ${min} to ${max}` : `≥ ${min}`}, got '${input.value}'`);
  }
  return v;
}

/** The run the fields describe for this model; throws with the field's name when one is invalid. */
export function readSettings(model: ModelInfo): RunRecord {
  const method = fields.method.value as SamplingMethod;
  const T = model.trainTimesteps;
  const steps = intField(fields.steps, 'Steps', 1, T);
  const eta = Number(fields.eta.value);
  if (method === 'ddim' && !(eta >= 0)) throw new Error(`η must be a number ≥ 0, got '${fields.eta.value}'`);
  const batch = intField(fields.batch, 'Batch', 1, 4096);
  const k = model.numClasses;
  const choice = k > 0 ? fields.classSelect.value : null;
  const labels = choice === null ? null : classLabels(choice, batch, k);
  let guidance: number | undefined;
  if (choice !== null && choice !== NO_LABEL) {
    guidance = Number(fields.guidance.value);
    if (fields.guidance.value.trim() === '' || !Number.isFinite(guidance)) throw new Error(`Guidance must be a number, got '${fields.guidance.value}'`);
  }
  const rowLabels = choice === EACH_CLASS ? Array.from({ length: Math.min(k, batch) }, (_, c) => className(model, c)) : null;
  return {
    modelName: model.name,
    method,
    steps,
    eta: method === 'ddim' ? eta : 0,
    seed: intField(fields.seed, 'Seed', 0, 2 ** 53 - 1),
    batch,
    classLabels: labels,
    classChoice: choice,
    rowLabels,
    guidance,
    previewEvery: intField(fields.previewEvery, 'Preview every', 1),
  };
}

/** Puts a run's settings in the address bar (replacing the entry), so reloading the URL reproduces it. */
export function writeUrl(r: RunRecord, ep: WebExecutionProvider): void {
  const p = new URLSearchParams();
  p.set('method', r.method);
  p.set('steps', String(r.steps));
  if (r.method === 'ddim') p.set('eta', String(r.eta));
  p.set('seed', String(r.seed));
  p.set('batch', String(r.batch));
  if (r.classChoice !== null) p.set('class', r.classChoice);
  if (r.guidance !== undefined) p.set('guidance', String(r.guidance));
  p.set('every', String(r.previewEvery));
  p.set('ep', ep);
  const threads = new URLSearchParams(location.search).get('threads');
  if (threads !== null) p.set('threads', threads);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

/** The settings the URL carries; `ep` is returned for the model panel. Unknown values are left to readSettings to refuse. */
export function readUrl(): { given: Set<string>; ep: WebExecutionProvider | null } {
  const p = new URLSearchParams(location.search);
  const given = new Set<string>();
  for (const [name, input] of Object.entries(URL_FIELDS)) {
    const v = p.get(name);
    if (v === null || input === fields.classSelect) continue;
    input.value = v;
    given.add(name);
  }
  const ep = p.get('ep');
  return { given, ep: ep === 'webgpu' || ep === 'wasm' ? ep : null };
}

/** The class the URL asks for, applied once the model's classes are known. */
export function urlClass(): string | null {
  return new URLSearchParams(location.search).get('class');
}

/** Fills the Class select for a model; keeps `wanted` (or the current choice) when the model has it. */
export function setupClasses(model: ModelInfo, wanted: string | null): void {
  const k = model.numClasses;
  const select = fields.classSelect;
  const previous = wanted ?? select.value;
  $('class-field').hidden = k === 0;
  $('guidance-field').hidden = k === 0;
  select.replaceChildren();
  if (k === 0) return;
  select.append(new Option('each in turn', EACH_CLASS));
  for (let i = 0; i < k; i++) select.append(new Option(`${i}: ${className(model, i)}`, String(i)));
  select.append(new Option('no label (unconditional)', NO_LABEL));
  if ([...select.options].some((o) => o.value === previous)) select.value = previous;
}

/** Hides η unless the method is DDIM. */
export function syncEtaField(): void {
  $('eta-field').hidden = fields.method.value !== 'ddim';
}
