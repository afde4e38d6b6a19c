// The page's one source of truth. Panels render from it and change it only through actions.ts;
// the DOM never holds state of its own that another part of the page reads, except the form's
// fields, which settings.ts reads at Generate and which are locked while a run uses them.
import type { ModelInfo, RunSettings, RuntimeInfo, WebExecutionProvider } from './worker/protocol.js';

export type Level = 'info' | 'warn' | 'error';
export interface Message {
  level: Level;
  text: string;
}

/** The model that would run: what the worker has loaded, with the bytes to reopen it elsewhere. */
export interface LoadedModel {
  info: ModelInfo;
  bytes: Uint8Array;
  configJson?: string;
}

/** A run's settings as given, with what the page needs to label its output. */
export interface RunRecord extends RunSettings {
  modelName: string;
  /** The class choice as the URL and the file name carry it: 'each', 'none', a class index, or null (unconditional). */
  classChoice: string | null;
  /** Row labels when the grid has one row per class. */
  rowLabels: string[] | null;
}

/** One recorded point of the reverse trajectory: the first image, or the first 300 points. */
export interface TrajectoryFrame {
  index: number;
  t: number;
  xt: Float32Array;
  x0: Float32Array;
}

export interface RunProgress {
  record: RunRecord;
  /** Steps done so far (0 before the first ends). */
  index: number;
  total: number;
  /** What is happening now, shown as the run's status. */
  status: string;
  /** The latest x̂₀ preview, with the step it is from. */
  preview: { x0: Float32Array; index: number; t: number; drawn: boolean } | null;
  frames: TrajectoryFrame[];
}

export interface RunOutput {
  record: RunRecord;
  samples: Float32Array;
  shape: number[];
  totalMs: number;
  steps: number;
  executionProvider: WebExecutionProvider;
  frames: TrajectoryFrame[];
}

export interface PageState {
  runtime: RuntimeInfo | null;
  model: LoadedModel | null;
  /** A model read without a scheduler config, waiting for its scheduler_config.json (not loaded). */
  pending: { name: string; bytes: Uint8Array } | null;
  /** Work that keeps Generate disabled (loading the runtime or a model), with its progress if known. */
  busy: { text: string; fraction: number | null } | null;
  run: RunProgress | null;
  output: RunOutput | null;
  /** How the last action ended, for body[data-state]. */
  outcome: 'ready' | 'done' | 'error';
  /** Outcomes of the last action, each said once. */
  messages: Message[];
  /** The last stopped run: the step it had finished when Stop reached the worker, and the step it ended after. */
  lastStop: { requestedAfterStep: number; endedAfterStep: number } | null;
  /** An editing job other than Sample's runs (the interpolation strip) while it runs: it holds the model like a run. */
  edit: { kind: 'interpolate' } | null;
}

/** Called after each change with the state before it (null on the first call: render everything). */
export type Listener = (state: PageState, prev: PageState | null) => void;

export interface Store {
  get(): PageState;
  set(patch: Partial<PageState>): void;
  subscribe(listener: Listener): void;
}

export function createStore(initial: PageState): Store {
  let state = initial;
  const listeners: Listener[] = [];
  return {
    get: () => state,
    set(patch) {
      const prev = state;
      state = { ...state, ...patch };
      for (const l of listeners) l(state, prev);
    },
    subscribe(listener) {
      listeners.push(listener);
      listener(state, null);
    },
  };
}

export const initialState: PageState = {
  runtime: null,
  model: null,
  pending: null,
  busy: { text: 'loading runtime', fraction: null },
  run: null,
  output: null,
  outcome: 'ready',
  messages: [],
  lastStop: null,
  edit: null,
};

/** Whether the model is in use (a run or an editing job): fields, files and the runtime stay as they are. */
export function isRunning(s: PageState): boolean {
  return !!s.run || !!s.edit;
}

/** body[data-state], which the browser tests and scripts wait on. */
export function pageStatus(s: PageState): 'loading' | 'ready' | 'running' | 'done' | 'error' {
  if (isRunning(s)) return 'running';
  if (s.busy) return 'loading';
  if (!s.model) return 'error';
  return s.outcome;
}

/** The runtime a model should open on when the user has not chosen: WebGPU only on a hardware adapter. */
export function defaultEp(runtime: RuntimeInfo): WebExecutionProvider {
  return runtime.webgpu.available && !runtime.webgpu.software ? 'webgpu' : 'wasm';
}

/**
 * Why the model does not run on WebGPU although the page prefers it (missing, or a software
 * renderer), or that it runs on a software renderer; null when nothing needs saying.
 */
export function runtimeNotice(runtime: RuntimeInfo, ep: WebExecutionProvider | null): string | null {
  const g = runtime.webgpu;
  if (!g.available) return `WebGPU is not available (${g.detail}); sampling on wasm instead.`;
  if (!g.software) return null;
  if (ep === 'webgpu') return `WebGPU here is a software renderer (${g.detail}): slower than wasm, which Runtime offers.`;
  return `WebGPU here is a software renderer (${g.detail}), slower than wasm: sampling on wasm. WebGPU stays selectable under Runtime.`;
}
