// The page's side of the sampling worker: one request at a time per call, answered by id.
import type {
  InterpolateSettings,
  OpenResult,
  Reply,
  Request,
  RunEvent,
  RunResult,
  RunSettings,
  RuntimeInfo,
  StopRequest,
  WebExecutionProvider,
} from './protocol.js';
import { RequestChannel } from './request-channel.js';

/** A run that ended because Stop was pressed (not a failure). */
export class StoppedError extends Error {
  constructor(
    /** The step the run had finished when the stop request reached the worker. */
    readonly requestedAfterStep: number,
  ) {
    super('stopped');
    this.name = 'StoppedError';
  }
}

export class SamplerClient {
  private readonly channel: RequestChannel<Request, RunEvent, Reply>;

  constructor() {
    const worker = new Worker(new URL('./sampler-worker.ts', import.meta.url), { type: 'module', name: 'onnx-ddpm sampler' });
    this.channel = new RequestChannel(worker, 'sampling', (r) => (r.stopped !== null ? new StoppedError(r.stopped) : new Error(r.message)));
  }

  private request<T>(req: Request, onEvent?: (e: RunEvent) => void, transfer: Transferable[] = []): Promise<T> {
    return this.channel.request<T>(req, onEvent, transfer);
  }

  /**
   * Hands the canvas to the worker, which then draws x̂₀ previews on it during runs; false when
   * this browser cannot (no OffscreenCanvas), and the page draws them itself.
   */
  attachPreview(canvas: HTMLCanvasElement): boolean {
    if (typeof canvas.transferControlToOffscreen !== 'function') return false;
    const offscreen = canvas.transferControlToOffscreen();
    void this.request({ type: 'preview-canvas', canvas: offscreen }, undefined, [offscreen]);
    return true;
  }

  /** Loads onnxruntime-web (served under `ortBase`) in the worker and looks at its WebGPU adapter. */
  init(ortBase: string, threads?: number): Promise<RuntimeInfo> {
    return this.request({ type: 'init', ortBase, threads });
  }

  /** Opens a model; on failure the previously loaded one stays. The bytes are copied, not moved. */
  open(bytes: Uint8Array, name: string, ep: WebExecutionProvider, configJson?: string): Promise<OpenResult> {
    return this.request({ type: 'open', bytes, name, ep, configJson });
  }

  run(settings: RunSettings, onEvent: (e: RunEvent) => void): Promise<RunResult> {
    return this.request({ type: 'run', settings }, onEvent);
  }

  /** An interpolation strip's frames on the loaded model (or, for the hook, on `model`); Stop ends it as a run. */
  interpolate(settings: InterpolateSettings, onEvent: (e: RunEvent) => void, model?: Extract<Request, { type: 'interpolate' }>['model']): Promise<RunResult> {
    return this.request({ type: 'interpolate', settings, model }, onEvent);
  }

  /** Ends the run in progress before its next step; its promise rejects with {@link StoppedError}. */
  stop(): void {
    const req: StopRequest = { type: 'stop' };
    this.channel.post(req);
  }

  modelCall(req: Omit<Extract<Request, { type: 'model-call' }>, 'type'>): Promise<{ output: Float32Array; ep: string }> {
    return this.request({ type: 'model-call', ...req });
  }

  sample(req: Omit<Extract<Request, { type: 'sample' }>, 'type'>): Promise<{ samples: Float32Array; shape: number[]; ep: string; msPerStep: number; modelMsPerStep: number }> {
    return this.request({ type: 'sample', ...req });
  }
}
