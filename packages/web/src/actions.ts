// Everything that changes the page's state: loading the runtime and models, switching runtime,
// running and stopping. Each action replaces the messages with its own outcome.
import { readSettings, writeUrl } from './settings.js';
import { defaultEp, isRunning, type Message, type PageState, type RunProgress, type Store } from './state.js';
import type { PreviewLayoutFor } from './panels/output-panel.js';
import { type SamplerClient, StoppedError } from './worker/client.js';
import type { ModelInfo, RunEvent, RunSettings, RuntimeInfo, WebExecutionProvider } from './worker/protocol.js';

/** An error's text, said once: "x: not an ONNX model: not an ONNX model: …" → "x: not an ONNX model: …". */
export function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/(\S[^:]{4,}: )\1+/g, '$1');
}

/** What the trajectory strip keeps of each frame: the first image, or the first 300 points. */
function frameSize(itemShape: readonly number[]): number {
  const itemSize = itemShape.reduce((a, b) => a * b, 1);
  return itemShape.length === 1 ? 300 * itemSize : itemSize;
}

export interface Actions {
  start(defaultModelUrl: string, runtime: Promise<RuntimeInfo>, wantedEp: WebExecutionProvider | null): Promise<void>;
  /** A .onnx (the model to sample) or a .json (the scheduler config of the pending or loaded model). */
  openFile(file: File): Promise<void>;
  changeEp(ep: WebExecutionProvider): Promise<void>;
  generate(): Promise<void>;
  stop(): void;
}

/** Reads a response body with progress (0…1, or null when the size is unknown). */
async function readWithProgress(res: Response, onProgress: (fraction: number | null) => void): Promise<Uint8Array> {
  const total = Number(res.headers.get('Content-Length')) || 0;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(total ? received / total : null);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return bytes;
}

/**
 * `previewLayout`: how the worker draws x̂₀ previews for a run (undefined: the page draws them);
 * `readStart`: the run's start (an image, a mask) from the "Start from" fields, or undefined = noise.
 */
export function createActions(store: Store, client: SamplerClient, previewLayout: PreviewLayoutFor, readStart: (model: ModelInfo) => RunSettings['start']): Actions {
  /** The runtime the user asked for; the loaded model's runtime is what the page shows. */
  let wantedEp: WebExecutionProvider = 'wasm';

  const refused = (s: PageState, err: unknown): Message[] => [
    { level: 'error', text: messageOf(err) },
    ...(s.model ? [{ level: 'info' as const, text: `The previous model, ${s.model.info.name}, is still loaded.` }] : []),
  ];

  async function openModel(bytes: Uint8Array, name: string, configJson?: string, keepOutput = false): Promise<void> {
    store.set({ busy: { text: `opening ${name} on ${wantedEp === 'webgpu' ? 'WebGPU' : 'wasm'}`, fraction: null }, messages: [] });
    try {
      const r = await client.open(bytes, name, wantedEp, configJson);
      const s = store.get();
      if (r.kind === 'needs-config') {
        store.set({
          busy: null,
          pending: { name, bytes },
          outcome: s.model ? 'ready' : 'error',
          messages: [
            { level: 'warn', text: `${name} carries no scheduler config (no onnx_ddpm metadata): choose its scheduler_config.json with “Scheduler config…”.` },
            ...(s.model ? [{ level: 'info' as const, text: `Until then the previous model, ${s.model.info.name}, is still loaded.` }] : []),
          ],
        });
        return;
      }
      store.set({
        busy: null,
        pending: null,
        model: { info: r.model, bytes, configJson },
        output: keepOutput ? s.output : null,
        outcome: 'ready',
        messages: [],
      });
    } catch (err) {
      const s = store.get();
      const stillPending = s.pending?.bytes === bytes ? s.pending : null;
      store.set({ busy: null, pending: stillPending, outcome: s.model ? 'ready' : 'error', messages: refused(s, err) });
    }
  }

  async function setConfig(json: string): Promise<void> {
    const s = store.get();
    const target = s.pending ?? s.model;
    if (!target) {
      store.set({ messages: [{ level: 'error', text: 'open a model first, then its scheduler_config.json' }] });
      return;
    }
    const name = 'info' in target ? target.info.name : target.name;
    await openModel(target.bytes, name, json);
  }

  async function openFile(file: File): Promise<void> {
    // Busy before the first await, so whoever set the file sees the page working.
    store.set({ busy: { text: `reading ${file.name}`, fraction: null }, messages: [] });
    const isConfig = /\.json$/i.test(file.name);
    try {
      if (isConfig) {
        const text = await file.text();
        store.set({ busy: null });
        return setConfig(text);
      }
      const bytes = new Uint8Array(await file.arrayBuffer());
      return openModel(bytes, file.name);
    } catch (err) {
      const s = store.get();
      store.set({ busy: null, messages: refused(s, err) });
    }
  }

  async function start(defaultModelUrl: string, runtimeLoading: Promise<RuntimeInfo>, urlEp: WebExecutionProvider | null): Promise<void> {
    const name = defaultModelUrl.split('/').at(-1)!;
    let runtimeReady = false;
    let downloaded: number | null = 0;
    const showBusy = () => {
      const model = `model ${name}${downloaded === null ? '' : ` ${Math.round(100 * downloaded)}%`}`;
      store.set({ busy: { text: runtimeReady ? `loading ${model}` : `loading runtime · ${model}`, fraction: downloaded } });
    };
    showBusy();
    const runtime = runtimeLoading.then((info) => {
      runtimeReady = true;
      store.set({ runtime: info });
      showBusy();
      return info;
    });
    const bytes = fetch(defaultModelUrl).then(async (res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return readWithProgress(res, (f) => {
        downloaded = f;
        showBusy();
      });
    });
    let info: Awaited<typeof runtime>;
    try {
      info = await runtime;
    } catch (err) {
      store.set({ busy: null, outcome: 'error', messages: [{ level: 'error', text: `onnxruntime-web did not load: ${messageOf(err)}` }] });
      return;
    }
    wantedEp = urlEp && (urlEp === 'wasm' || info.webgpu.available) ? urlEp : defaultEp(info);
    let model: Uint8Array;
    try {
      model = await bytes;
    } catch (err) {
      store.set({
        busy: null,
        outcome: 'error',
        messages: [{ level: 'error', text: `cannot load the default model ${defaultModelUrl}: ${messageOf(err)}; open a .onnx file instead` }],
      });
      return;
    }
    await openModel(model, name);
  }

  async function changeEp(ep: WebExecutionProvider): Promise<void> {
    wantedEp = ep;
    const { model } = store.get();
    if (model && model.info.executionProvider !== ep) await openModel(model.bytes, model.info.name, model.configJson, true);
    const after = store.get().model;
    // The select shows where the model runs; a failed switch leaves it where it was.
    if (after) wantedEp = after.info.executionProvider;
  }

  async function generate(): Promise<void> {
    const s = store.get();
    if (!s.model || isRunning(s) || s.busy) return;
    let record: ReturnType<typeof readSettings>;
    try {
      record = readSettings(s.model.info);
      record.start = readStart(s.model.info);
    } catch (err) {
      store.set({ messages: [{ level: 'error', text: messageOf(err) }] });
      return;
    }
    const ep = s.model.info.executionProvider;
    writeUrl(record, ep);
    const itemShape = s.model.info.sampleShape;
    record.preview = previewLayout(record, itemShape);
    let run: RunProgress = { record, index: 0, total: 0, status: 'starting', preview: null, frames: [] };
    store.set({ run, messages: [] });
    const onEvent = (e: RunEvent) => {
      if (e.kind === 'phase') run = { ...run, status: e.text };
      else {
        const msPerStep = e.elapsedMs / e.index;
        run = { ...run, index: e.index, total: e.total, status: `step ${e.index}/${e.total} · ${msPerStep.toFixed(1)} ms/step` };
        if (e.x0 && e.xt) {
          run.preview = { x0: e.x0, index: e.index, t: e.t, drawn: !!e.drawn };
          const keep = frameSize(itemShape);
          run.frames = [...run.frames, { index: e.index, t: e.t, xt: e.xt.slice(0, keep), x0: e.x0.slice(0, keep) }];
        }
      }
      store.set({ run });
    };
    try {
      const r = await client.run(record, onEvent);
      store.set({ run: null, outcome: 'done', output: { record, ...r, frames: run.frames } });
    } catch (err) {
      if (err instanceof StoppedError) {
        store.set({
          run: null,
          outcome: 'ready',
          lastStop: { requestedAfterStep: err.requestedAfterStep, endedAfterStep: run.index },
          messages: [{ level: 'info', text: `Stopped after step ${run.index} of ${run.total || record.steps}.` }],
        });
      } else {
        store.set({ run: null, outcome: 'error', messages: [{ level: 'error', text: messageOf(err) }] });
      }
    }
  }

  return { start, openFile, changeEp, generate, stop: () => client.stop() };
}
