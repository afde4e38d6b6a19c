// The page's side of the training worker: one request at a time per call, answered by id.
import type { ReplicaInit, TrainBatch } from '@onnx-ddpm/trainer';
import type { ExportResult, OneStepResult, RunState, TrainBackend, TrainEvent, TrainInitResult, TrainReply, TrainRequest, TrainRunResult, TrainRunSettings, TrainStopRequest } from './protocol.js';
import { RequestChannel } from '../worker/request-channel.js';

export class TrainerClient {
  private readonly channel: RequestChannel<TrainRequest, TrainEvent, TrainReply>;
  /** The worker's WebGPU adapter, once it has started (told where tfjs-backend-wasm's binaries are served). */
  readonly ready: Promise<TrainInitResult>;

  constructor(wasmPaths: string) {
    const worker = new Worker(new URL('./trainer-worker.ts', import.meta.url), { type: 'module', name: 'onnx-ddpm trainer' });
    this.channel = new RequestChannel(worker, 'training');
    this.ready = this.request({ type: 'init', wasmPaths });
  }

  private request<T>(req: TrainRequest, onEvent?: (e: TrainEvent) => void): Promise<T> {
    return this.channel.request<T>(req, onEvent);
  }

  /** Trains; the run's weights stay in the worker when it ends, fails after a step, or is stopped. */
  train(settings: TrainRunSettings, onEvent: (e: TrainEvent) => void): Promise<TrainRunResult> {
    return this.request({ type: 'train', settings }, onEvent);
  }

  /** Ends the run in progress after the step it is in; its promise resolves with `stopped: true`. */
  stop(): void {
    const req: TrainStopRequest = { type: 'stop' };
    this.channel.post(req);
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
