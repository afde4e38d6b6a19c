import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TrainBatch } from '../train/batch-types.js';
import type { TrainEngine } from '../train/engine.js';
import type { ReplicaInit } from '../train/replica.js';
import type { ReplicaState } from '../train/state.js';
import type { FromWorker, ReplicaWorkerData, ToWorker } from './protocol.js';

/** Options of the data-parallel engine: the replica to build, how many workers, on which backend. */
export interface WorkerEngineInit extends ReplicaInit {
  workers: number;
  /** Backend inside each worker (default wasm; each worker runs it single-threaded). */
  backend?: 'wasm' | 'cpu';
}

/** Where the wall time of one engine step went (milliseconds). */
export interface StepTimings {
  /** Wall time of the whole step, as the caller sees it. */
  totalMs: number;
  /** Per active worker: forward + backward + reading the gradients out of the backend. */
  computeMs: number[];
  /** Per active worker: copying its gradients into the shared buffer. */
  shareMs: number[];
  /** From sending the shards until the last worker answered (the slowest worker, plus messaging). */
  computePhaseMs: number;
  /** Averaging the workers' gradients on the main thread (the all-reduce). */
  allReduceMs: number;
  /** Every replica applying the update (clip, Adam, EMA, weights back into the backend). */
  applyMs: number;
}

/** A TrainEngine over worker replicas, plus a check that the replicas agree. */
export interface WorkerEngine extends TrainEngine {
  /** Every replica's state (for tests: they must be bitwise identical). */
  replicaStates(): Promise<ReplicaState[]>;
  /** Where the time of the last step went; null before the first step. */
  lastStepTimings(): StepTimings | null;
}

/**
 * The compiled worker script. From dist/ it sits next to this module; when this module runs from
 * src/ (vitest), the built copy in ../../dist is used, so `pnpm build` must have run.
 */
function workerScript(): URL {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL('../../dist/parallel/replica-worker.js', here)
    : new URL('./replica-worker.js', here);
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new Error(`worker engine: ${path} not found; run \`pnpm build\` (worker threads run the compiled dist/)`);
  }
  return url;
}

/**
 * This process's Node flags minus export conditions: under vitest `--conditions source` would make
 * the compiled worker resolve workspace packages to their .ts sources.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--conditions' || arg === '-C') i++;
    else if (!arg.startsWith('--conditions=')) out.push(arg);
  }
  return out;
}

type Reply<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

/** One worker with at most one request in flight. */
class ReplicaWorker {
  private pending: { expect: string; resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  /** Set once the thread crashed or exited: every later request fails with it. */
  private dead: Error | null = null;

  constructor(
    readonly worker: Worker,
    readonly index: number,
  ) {
    worker.on('message', (message: FromWorker) => {
      const pending = this.pending;
      this.pending = null;
      if (message.type === 'error') pending?.reject(new Error(`worker ${index}: ${message.message}`));
      else if (pending && message.type === pending.expect) pending.resolve(message);
      else pending?.reject(new Error(`worker ${index}: unexpected message ${message.type}`));
    });
    worker.on('error', (err) => this.die(new Error(`worker ${index} crashed: ${err.message}`)));
    worker.on('exit', (code) => this.die(new Error(`worker ${index} exited with code ${code}`)));
  }

  private die(err: Error): void {
    this.dead ??= err;
    const pending = this.pending;
    this.pending = null;
    pending?.reject(this.dead);
  }

  /** Waits for the next message of type `expect` (after sending `message`, if given). */
  request<T extends FromWorker['type']>(expect: T, message?: ToWorker): Promise<Reply<T>> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error(`worker ${this.index}: request while ${this.pending.expect} pending`));
    return new Promise<Reply<T>>((resolve, reject) => {
      this.pending = { expect, resolve: resolve as (m: FromWorker) => void, reject };
      if (message) this.worker.postMessage(message);
    });
  }
}

/** Waits for every request, then throws the first failure (so no request is left in flight). */
async function all<T>(requests: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(requests);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Splits n items into `parts` contiguous shards whose sizes differ by at most one. */
export function shardSizes(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < n % parts ? 1 : 0));
}

function sliceBatch(batch: TrainBatch, start: number, count: number, shard: number): TrainBatch {
  const n = batch.shape[0]!;
  const perItem = batch.x0.length / n;
  return {
    x0: batch.x0.slice(start * perItem, (start + count) * perItem),
    eps: batch.eps.slice(start * perItem, (start + count) * perItem),
    t: batch.t.slice(start, start + count),
    labels: batch.labels ? batch.labels.slice(start, start + count) : null,
    shape: [count, ...batch.shape.slice(1)],
    // A distinct dropout stream per shard (shard 0 keeps the batch's seed).
    dropoutSeed: (batch.dropoutSeed + shard * 0x9e3779b1) >>> 0,
  };
}

/**
 * Data-parallel training on worker threads: each worker hosts a TrainReplica (single-threaded
 * backend); a step splits the batch across workers, averages their gradients weighted by shard size
 * (Σ nᵢ/N · gᵢ, via SharedArrayBuffers), and every replica applies that same update, so all replicas
 * stay bitwise identical. Call dispose() to end the workers.
 */
export async function createWorkerEngine(init: WorkerEngineInit): Promise<WorkerEngine> {
  const { workers: count, backend = 'wasm', ...replicaInit } = init;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`worker engine: workers must be a positive integer, got ${JSON.stringify(count)}`);
  }
  const script = workerScript();
  const data: ReplicaWorkerData = { init: replicaInit, backend };
  const pool = Array.from({ length: count }, (_, i) => new ReplicaWorker(new Worker(script, { workerData: data, execArgv: workerExecArgv() }), i));
  const terminate = () => Promise.all(pool.map((w) => w.worker.terminate()));
  let sizes: number[];
  let gradBuffers: Float32Array[];
  let averaged: Float32Array;
  let backendDevice: string;
  try {
    const ready = await all(pool.map((w) => w.request('ready')));
    sizes = ready[0]!.sizes;
    backendDevice = `${ready[0]!.backend.name}: ${ready[0]!.backend.device}`;
    const total = sizes.reduce((a, b) => a + b, 0);
    const averagedShared = new SharedArrayBuffer(total * 4);
    averaged = new Float32Array(averagedShared);
    const shared = pool.map(() => new SharedArrayBuffer(total * 4));
    gradBuffers = shared.map((b) => new Float32Array(b));
    await all(pool.map((w, i) => w.request('buffers-set', { type: 'buffers', grads: shared[i]!, averaged: averagedShared })));
  } catch (err) {
    await terminate();
    throw err;
  }

  /** Set when an update reached only some replicas: they may differ now, so the engine stops. */
  let broken: Error | null = null;
  let timings: StepTimings | null = null;

  return {
    description: `${count} worker${count === 1 ? '' : 's'} on ${backend} (${backendDevice})`,
    async step(batch, step) {
      if (broken) throw broken;
      const t0 = performance.now();
      const n = batch.shape[0]!;
      const active: { worker: ReplicaWorker; start: number; size: number }[] = [];
      let start = 0;
      shardSizes(n, count).forEach((size, i) => {
        if (size > 0) active.push({ worker: pool[i]!, start, size });
        start += size;
      });
      const computed = await all(
        active.map(({ worker, start: first, size }) =>
          worker.request('computed', { type: 'compute', batch: sliceBatch(batch, first, size, worker.index) }),
        ),
      );
      const t1 = performance.now();
      // ḡ = Σᵢ (nᵢ/N)·gᵢ and the same weighting for the loss.
      let loss = 0;
      computed.forEach((c, k) => {
        loss += (active[k]!.size / n) * c.loss;
      });
      if (active.length === 1) {
        averaged.set(gradBuffers[active[0]!.worker.index]!);
      } else {
        const weights = active.map((a) => a.size / n);
        const sources = active.map((a) => gradBuffers[a.worker.index]!);
        for (let k = 0; k < averaged.length; k++) {
          let sum = 0;
          for (let i = 0; i < sources.length; i++) sum += weights[i]! * sources[i]![k]!;
          averaged[k] = sum;
        }
      }
      const t2 = performance.now();
      let applied: Reply<'applied'>[];
      try {
        applied = await all(pool.map((w) => w.request('applied', { type: 'apply', step })));
      } catch (err) {
        broken = new Error(`worker engine: an update failed on some replica, so the replicas may differ: ${(err as Error).message}`);
        throw broken;
      }
      const t3 = performance.now();
      timings = {
        totalMs: t3 - t0,
        computeMs: computed.map((c) => c.computeMs),
        shareMs: computed.map((c) => c.shareMs),
        computePhaseMs: t1 - t0,
        allReduceMs: t2 - t1,
        applyMs: t3 - t2,
      };
      return { loss, gradNorm: applied[0]!.gradNorm };
    },
    lastStepTimings: () => timings,
    async getState() {
      return (await pool[0]!.request('state', { type: 'state' })).state;
    },
    async replicaStates() {
      return (await all(pool.map((w) => w.request('state', { type: 'state' })))).map((r) => r.state);
    },
    async dispose() {
      try {
        await all(pool.map((w) => w.request('disposed', { type: 'dispose' })));
      } finally {
        await terminate();
      }
    },
  };
}
