import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/index.js';
import { type Dataset, loadDataset, Uint8ImageDataset } from '../src/data/index.js';
import {
  CheckpointError,
  type ConfigOverrides,
  loadCheckpoint,
  type ReplicaState,
  resolveTrainConfig,
  type TrainConfig,
  train,
} from '../src/train/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'ddpm-ckpt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function quiet(config: TrainConfig, dataset: Dataset, runDir: string) {
  return { config, dataset, runDir, progress: null, log: () => {}, handleSignals: false, backendName: 'test' };
}

function expectBitwiseEqual(a: ReplicaState, b: ReplicaState): void {
  for (const part of ['weights', 'ema', 'adamM', 'adamV'] as const) {
    expect(a[part].length).toBe(b[part].length);
    a[part].forEach((arr, i) => {
      const same = Buffer.compare(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength), Buffer.from(b[part][i]!.buffer, b[part][i]!.byteOffset, b[part][i]!.byteLength));
      if (same !== 0) throw new Error(`${part}[${i}] differs between the straight run and the resumed run`);
    });
  }
}

/** Trains 2N steps straight, and N steps + reload from disk + N steps; both must end bitwise equal. */
async function checkResume(name: string, dataset: Dataset, overrides: ConfigOverrides, n: number): Promise<void> {
  const config = resolveTrainConfig(dataset, { spec: dataset.spec }, overrides);
  config.train.steps = 2 * n;
  const straight = await train(quiet(config, dataset, join(tmp, `${name}-straight`)));
  const split = join(tmp, `${name}-split`);
  const first = await train({ ...quiet(config, dataset, split), stopAtStep: n });
  expect(first.step).toBe(n);
  expect(first.interrupted).toBe(true);
  const ckpt = await loadCheckpoint(split);
  expect(ckpt.step).toBe(n);
  expect(ckpt.config).toEqual(config);
  const resumed = await train({ ...quiet(config, dataset, split), resume: ckpt });
  expect(resumed.step).toBe(2 * n);
  expect(resumed.loss).toBe(straight.loss);
  expectBitwiseEqual(resumed.state, straight.state);
  // The straight run's final checkpoint holds the same state.
  expectBitwiseEqual((await loadCheckpoint(join(tmp, `${name}-straight`))).state, straight.state);
  // And different from an untrained start, so the comparison means something.
  expect(Buffer.from(ckpt.state.weights[0]!.buffer)).not.toEqual(Buffer.from(straight.state.weights[0]!.buffer));
}

describe.each(['wasm', 'cpu'] as const)('resume on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it('continues a tiny MLP run bitwise-exactly', async () => {
    const dataset = await loadDataset('toy:gmm', { toyCount: 500 });
    await checkResume(`mlp-${backend}`, dataset, { model: { hidden: 16, layers: 1, timeEmbedDim: 8 }, train: { batchSize: 32, warmupSteps: 3 } }, 6);
  });
});

describe('resume of a U-Net on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('continues a tiny class-conditional U-Net run with dropout bitwise-exactly', async () => {
    const pixels = Uint8Array.from({ length: 24 * 64 }, (_, i) => (i * 53 + (i >> 6) * 17) % 256);
    const labels = Int32Array.from({ length: 24 }, (_, i) => i % 2);
    const dataset = new Uint8ImageDataset('tiny-images', 'memory', pixels, [8, 8, 1], labels, ['even', 'odd']);
    await checkResume(
      'unet',
      dataset,
      {
        model: { baseChannels: 8, channelMultipliers: [1, 2], numResBlocks: 1, attentionResolutions: [4], groups: 4, dropout: 0.2 },
        train: { batchSize: 4, warmupSteps: 2, labelDropout: 0.5 },
      },
      3,
    );
  });
});

describe('checkpoint files', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('keeps the last good checkpoint through an interrupted save, and detects damage', async () => {
    const dataset = await loadDataset('toy:moons', { toyCount: 200 });
    const config = resolveTrainConfig(dataset, { spec: 'toy:moons' }, {
      model: { hidden: 8, layers: 1, timeEmbedDim: 8 },
      train: { steps: 4, batchSize: 8, checkpointEvery: 2 },
    });
    const runDir = join(tmp, 'files');
    await train(quiet(config, dataset, runDir));
    const link = readlinkSync(join(runDir, 'checkpoint'));
    expect(link).toMatch(/^checkpoints\/step-000000004-/);
    expect(readdirSync(join(runDir, 'checkpoints'))).toHaveLength(1);
    // What a kill -9 in the middle of a save leaves behind must not disturb loading or the next save.
    mkdirSync(join(runDir, 'checkpoints', '.tmp-step-000000006-1-x'));
    writeFileSync(join(runDir, 'checkpoints', '.tmp-step-000000006-1-x', 'weights.bin'), 'half');
    symlinkSync('checkpoints/.tmp-step-000000006-1-x', join(runDir, '.checkpoint.tmp-1-x'));
    const ckpt = await loadCheckpoint(runDir);
    expect(ckpt.step).toBe(4);
    expect(ckpt.params.length).toBe(ckpt.state.weights.length);
    expect(ckpt.metrics.backend).toBe('test');
    config.train.steps = 6;
    await train({ ...quiet(config, dataset, runDir), resume: ckpt });
    expect((await loadCheckpoint(join(runDir, 'checkpoint'))).step).toBe(6);
    expect(readdirSync(join(runDir, 'checkpoints'))).toHaveLength(1);
    expect(readdirSync(runDir).filter((f) => f.startsWith('.checkpoint.tmp'))).toEqual([]);

    const weights = join(runDir, 'checkpoint', 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[10] ^= 0xff;
    writeFileSync(weights, bytes);
    await expect(loadCheckpoint(runDir)).rejects.toThrow(/weights\.bin: CRC-32 mismatch/);
    writeFileSync(weights, bytes.subarray(0, 100));
    await expect(loadCheckpoint(runDir)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(join(tmp, 'nothing'))).rejects.toThrow(/nothing: no checkpoint here/);
  });
});
