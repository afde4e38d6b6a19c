// Uses the compiled worker script (packages/trainer/dist/parallel/replica-worker.js): run `pnpm build`
// first (the root `pnpm test` does).
import { DEFAULT_SCHEDULER_CONFIG } from '@onnx-ddpm/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/node.js';
import { createWorkerEngine, shardSizes, type WorkerEngine } from '../src/node.js';
import type { TrainBatch } from '../src/train/batch-types.js';
import type { TrainHyper } from '../src/train/hyper.js';
import { TrainReplica } from '../src/train/replica.js';
import type { ReplicaState } from '../src/train/state.js';
import { smallUNet } from './helpers.js';

const modelConfig = smallUNet();
const hyper: TrainHyper = {
  scheduler: DEFAULT_SCHEDULER_CONFIG,
  lr: 1e-3,
  warmupSteps: 0,
  gradClip: 0,
  emaDecay: 0.99,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEps: 1e-8,
};
const init = { modelConfig, train: hyper, seed: 3 };

function batchOf(n: number, seed: number): TrainBatch {
  const d = 8 * 8;
  const x0 = new Float32Array(n * d);
  const eps = new Float32Array(n * d);
  let s = seed;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < n * d; i++) {
    x0[i] = rnd() * 2 - 1;
    eps[i] = rnd() * 2 - 1;
  }
  const t = Int32Array.from({ length: n }, () => Math.floor(rnd() * 1000));
  return { x0, eps, t, labels: null, shape: [n, 8, 8, 1], dropoutSeed: seed };
}

function expectBitwiseEqual(a: ReplicaState, b: ReplicaState): void {
  for (const part of ['weights', 'ema', 'adamM', 'adamV'] as const) {
    a[part].forEach((arr, i) => {
      const other = b[part][i]!;
      expect(Buffer.compare(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength), Buffer.from(other.buffer, other.byteOffset, other.byteLength)), `${part}[${i}]`).toBe(0);
    });
  }
}

describe('shardSizes', () => {
  it('splits as evenly as possible, larger shards first', () => {
    expect(shardSizes(5, 2)).toEqual([3, 2]);
    expect(shardSizes(64, 2)).toEqual([32, 32]);
    expect(shardSizes(1, 3)).toEqual([1, 0, 0]);
    expect(shardSizes(7, 3).reduce((a, b) => a + b)).toBe(7);
  });
});

describe('createWorkerEngine (2 wasm workers)', () => {
  let engine: WorkerEngine;
  let reference: TrainReplica;

  beforeAll(async () => {
    engine = await createWorkerEngine({ ...init, workers: 2 });
    await selectBackend('wasm');
    reference = TrainReplica.create(init);
  });

  afterAll(async () => {
    await engine?.dispose();
    reference?.dispose();
  });

  it('describes itself', () => {
    expect(engine.description).toMatch(/^2 workers on wasm/);
  });

  it('a step over uneven shards (3 + 2) gives the full batch loss and gradient norm', async () => {
    const batch = batchOf(5, 11);
    const local = await reference.computeGradients(batch);
    let sumSquares = 0;
    for (const g of local.grads) for (const v of g) sumSquares += v * v;
    const { loss, gradNorm } = await engine.step(batch, 0);
    expect(Math.abs(loss - local.loss)).toBeLessThan(1e-5 * local.loss);
    expect(Math.abs(gradNorm - Math.sqrt(sumSquares))).toBeLessThan(1e-4 * Math.sqrt(sumSquares));
    reference.applyGradients(local.grads, 0);
  });

  it("reports where the last step's time went: both workers, all-reduce and update within the step", () => {
    const t = engine.lastStepTimings()!;
    expect(t.computeMs).toHaveLength(2);
    expect(t.shareMs).toHaveLength(2);
    for (const ms of [...t.computeMs, ...t.shareMs, t.allReduceMs, t.applyMs]) expect(ms).toBeGreaterThanOrEqual(0);
    expect(Math.max(...t.computeMs)).toBeGreaterThan(0);
    expect(Math.max(...t.computeMs)).toBeLessThanOrEqual(t.computePhaseMs);
    expect(t.computePhaseMs + t.allReduceMs + t.applyMs).toBeLessThanOrEqual(t.totalMs + 1e-6);
  });

  it('keeps every replica bitwise identical, also when a batch is smaller than the pool', async () => {
    const before = await engine.getState();
    await engine.step(batchOf(4, 12), 1);
    await engine.step(batchOf(1, 13), 2);
    const [a, b] = await engine.replicaStates();
    expectBitwiseEqual(a!, b!);
    expect(a!.weights.some((w, i) => w.some((v, k) => v !== before.weights[i]![k]))).toBe(true);
  });

  it('reports a worker error as a rejected step, with the worker and the reason, and stays usable', async () => {
    const bad = { ...batchOf(2, 14), shape: [2, 9, 9, 1] };
    await expect(engine.step(bad, 3)).rejects.toThrow(/worker 0: .*should have 81 values but has 64/);
    const { loss } = await engine.step(batchOf(2, 15), 3);
    expect(Number.isFinite(loss)).toBe(true);
    const [a, b] = await engine.replicaStates();
    expectBitwiseEqual(a!, b!);
  });
});

describe('createWorkerEngine options', () => {
  it('rejects a bad worker count', async () => {
    await expect(createWorkerEngine({ ...init, workers: 0 })).rejects.toThrow(/workers must be a positive integer, got 0/);
  });
});
