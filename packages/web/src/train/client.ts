// The page's side of the training worker: one request at a time per call, answered by id.
import type { ReplicaInit, TrainBatch } from '@onnx-ddpm/trainer';
import type { ExportResult, OneStepResult, RunState, TrainBackend, TrainEvent, TrainInitResult, TrainReply, TrainRequest, TrainRunResult, TrainRunSettings, TrainStopRequest } from './protocol.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onEvent?: (e: TrainEvent) => void;
}

export class TrainerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The worker's WebGPU adapter, once it has started (told where tfjs-backend-wasm's binaries are served). */
  readonly ready: Promise<TrainInitResult>;

  constructor(wasmPaths: string) {
    this.worker = new Worker(new URL('./trainer-worker.ts', import.meta.url), { type: 'module', name: 'onnx-ddpm trainer' });
    this.worker.onmessage = (ev: MessageEvent<TrainReply>) => {
      const reply = ev.data;
      const p = this.pending.get(reply.id);
      if (!p) return;
      if (reply.type === 'event') return p.onEvent?.(reply.event);
      this.pending.delete(reply.id);
      if (reply.type === 'result') p.resolve(reply.value);
      else p.reject(new Error(reply.message));
    };
    this.worker.onerror = (ev) => {
      ev.preventDefault();
      const err = new Error(`the training worker failed: ${ev.message || 'it could not start'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.ready = this.request({ type: 'init', wasmPaths });
  }

  private request<T>(req: TrainRequest, onEvent?: (e: TrainEvent) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onEvent });
      this.worker.postMessage({ id, req });
    });
  }

  /** Trains; the run's weights stay in the worker when it ends, fails after a step, or is stopped. */
  train(settings: TrainRunSettings, onEvent: (e: TrainEvent) => void): Promise<TrainRunResult> {
    return this.request({ type: 'train', settings }, onEvent);
  }

  /** Ends the run in progress after the step it is in; its promise resolves with `stopped: true`. */
  stop(): void {
    const req: TrainStopRequest = { type: 'stop' };
    this.worker.postMessage({ id: 0, req });
  }

  exportOnnx(): Promise<ExportResult> {
    return this.request({ type: 'export' });
  }

  runState(): Promise<RunState> {
    return this.request({ type: 'run-state' });
  }

  forward(req: Omit<Extract<TrainRequest, { type: 'forward' }>, 'type'>): Promise<Float32Array> {
    return this.request({ type: 'forward', ...req });
  }

  trainStep(backend: TrainBackend, init: ReplicaInit, batch: TrainBatch): Promise<OneStepResult & { device: string }> {
    return this.request({ type: 'train-step', backend, init, batch });
  }
}
