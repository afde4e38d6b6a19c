// The Model panel and the header badge: file buttons and drag-and-drop, load progress, the card of
// the model that would run, the runtime select, and the messages.
import type { Actions } from '../actions.js';
import { fields } from '../settings.js';
import { isRunning, type Message, type PageState, runtimeNotice, type Store } from '../state.js';
import { wireFileButton } from '../dom/file-button.js';
import { elements } from '../dom/elements.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function renderCard(card: HTMLDListElement, s: PageState): void {
  card.replaceChildren();
  if (!s.model) return;
  const rows: [string, string][] = [...s.model.info.card, ['Runtime', s.model.info.executionProvider === 'webgpu' ? 'WebGPU' : 'wasm']];
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    card.append(dt, dd);
  }
}

function allMessages(s: PageState): Message[] {
  const notice = s.runtime ? runtimeNotice(s.runtime, s.model?.info.executionProvider ?? null) : null;
  return [
    ...(notice ? [{ level: 'info' as const, text: notice }] : []),
    ...(s.model?.info.warnings.map((text) => ({ level: 'warn' as const, text })) ?? []),
    ...s.messages,
  ];
}

function renderMessages(box: HTMLElement, list: Message[]): void {
  box.replaceChildren(
    ...list.map((m) => {
      const p = document.createElement('p');
      p.className = `message ${m.level}`;
      p.dataset.level = m.level;
      if (m.level === 'error') p.setAttribute('role', 'alert');
      p.textContent = m.text;
      return p;
    }),
  );
}

function badgeText(s: PageState): string {
  if (!s.runtime) return 'loading runtime…';
  const threads = `${s.runtime.threads} wasm thread${s.runtime.threads === 1 ? '' : 's'}`;
  if (!s.model) return `no model · ${threads}`;
  if (s.model.info.executionProvider === 'webgpu') return `running on WebGPU${s.runtime.webgpu.software ? ' (software)' : ''}`;
  return `running on wasm (${threads})`;
}

function renderRuntimeSelect(s: PageState): void {
  const webgpu = fields.ep.options[0] as HTMLOptionElement;
  const g = s.runtime?.webgpu;
  webgpu.disabled = g ? !g.available : false;
  webgpu.textContent = !g || (g.available && !g.software) ? 'WebGPU' : g.available ? 'WebGPU (software)' : 'WebGPU (unavailable)';
  if (s.model) fields.ep.value = s.model.info.executionProvider;
}

/** Drag-and-drop of a .onnx (or its scheduler_config.json) anywhere on the page. */
function wireDrop(actions: Actions, store: Store): void {
  const overlay = $('drop-overlay');
  let depth = 0;
  const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    depth++;
    overlay.hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  document.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  document.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const file = e.dataTransfer?.files[0];
    const s = store.get();
    if (!file) return;
    if (isRunning(s)) {
      store.set({ messages: [{ level: 'warn', text: `${file.name} was not opened: stop the run first.` }] });
      return;
    }
    void actions.openFile(file);
  });
}

export function mountModelPanel(store: Store, actions: Actions): void {
  const ui = elements({
    badge: '#ep-badge',
    openModel: 'button#open-model',
    modelFile: 'input#model-file',
    openConfig: 'button#open-config',
    configFile: 'input#config-file',
    loading: '#model-loading',
    status: '#model-status',
    progress: 'progress#model-progress',
    card: 'dl#model-card',
    messages: '#messages',
  });
  wireFileButton(ui.openModel, ui.modelFile, ([file]) => actions.openFile(file!));
  wireFileButton(ui.openConfig, ui.configFile, ([file]) => actions.openFile(file!));
  fields.ep.addEventListener('change', () => void actions.changeEp(fields.ep.value as 'webgpu' | 'wasm'));
  wireDrop(actions, store);

  store.subscribe((s, prev) => {
    if (!prev || s.model !== prev.model) renderCard(ui.card, s);
    if (!prev || s.messages !== prev.messages || s.model !== prev.model || s.runtime !== prev.runtime) renderMessages(ui.messages, allMessages(s));
    if (!prev || s.runtime !== prev.runtime || s.model !== prev.model) {
      ui.badge.textContent = badgeText(s);
      ui.badge.dataset.ep = s.model?.info.executionProvider ?? '';
    }
    if (!prev || s.busy !== prev.busy) {
      ui.loading.hidden = !s.busy;
      ui.status.textContent = s.busy?.text ?? '';
      if (s.busy?.fraction != null) ui.progress.value = s.busy.fraction;
      else ui.progress.removeAttribute('value');
    }
    if (!prev || s.runtime !== prev.runtime || s.model !== prev.model || s.busy !== prev.busy) renderRuntimeSelect(s);
    // Files may be chosen while something loads (the worker takes requests in order), not while a run uses the model.
    ui.openModel.disabled = isRunning(s);
    ui.openConfig.disabled = isRunning(s);
    fields.ep.disabled = isRunning(s) || !!s.busy || !s.model;
  });
}
