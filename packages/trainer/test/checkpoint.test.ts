import { mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/node.js';
import { type Dataset, loadDataset, Uint8ImageDataset } from '../src/node.js';
import {
  CheckpointError,
  type ConfigOverrides,
  loadCheckpoint,
  openRunFolder,
  type ReplicaState,
  RunFolderError,
  saveCompactCopy,
  resolveTrainConfig,
  saveCompactCheckpoint,
  type TrainConfig,
  train,
} from '../src/node.js';
import { scratchFolder } from './helpers.js';

const tmp = scratchFolder('ckpt');

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

/** Trains a tiny MLP on 200 points of toy:moons on wasm into `<tmp>/<name>`. */
async function trainTinyMoons(name: string, settings: ConfigOverrides['train']) {
  await selectBackend('wasm');
  const dataset = await loadDataset('toy:moons', { toyCount: 200 });
  const config = resolveTrainConfig(dataset, { spec: 'toy:moons' }, { model: { hidden: 8, layers: 1, timeEmbedDim: 8 }, train: settings });
  const runDir = join(tmp, name);
  await train(quiet(config, dataset, runDir));
  return { dataset, config, runDir };
}

describe('checkpoint files', () => {
  it('keeps the last good checkpoint through an interrupted save, and detects damage', async () => {
    const { dataset, config, runDir } = await trainTinyMoons('files', { steps: 4, batchSize: 8, checkpointEvery: 2 });
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
    // A line logged after the last checkpoint (by the killed run) is dropped on resume, not repeated.
    writeFileSync(join(runDir, 'log.jsonl'), `${readFileSync(join(runDir, 'log.jsonl'), 'utf8')}{"step":5,"loss":-1}\n{"step":6,"lo`);
    config.train.steps = 6;
    config.train.logEvery = 1;
    const run = await openRunFolder({ out: runDir, resume: true });
    try {
      await train({ ...quiet(config, dataset, runDir), resume: run.checkpoint });
    } finally {
      await run.release();
    }
    const logged = readFileSync(join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(logged.filter((l) => l.step === 5)).toHaveLength(1);
    expect(logged.every((l) => l.loss >= 0)).toBe(true);
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

describe('compact checkpoints', () => {
  it('keep weights and EMA exactly, Adam second moments to bfloat16, drop first moments, and resume', async () => {
    const { dataset, config, runDir } = await trainTinyMoons('compact-run', { steps: 5, batchSize: 8, checkpointEvery: 5 });
    const full = await loadCheckpoint(runDir);
    const compactDir = join(tmp, 'compact');
    await saveCompactCheckpoint(compactDir, full, { 'log.jsonl': new TextEncoder().encode('{"step":5}\n') });
    // Writing it again replaces the folder whole.
    await saveCompactCheckpoint(compactDir, full);
    expect(readdirSync(compactDir).sort()).toEqual(['adam_v.bin', 'checkpoint.json', 'ema.bin', 'weights.bin']);
    expect(readdirSync(tmp).filter((f) => f.includes('compact.tmp') || f.includes('compact.old'))).toEqual([]);

    const compact = await loadCheckpoint(compactDir);
    expect(compact.compact).toBe(true);
    expect(compact.step).toBe(5);
    for (const part of ['weights', 'ema'] as const) {
      expect(compact.state[part].map((a) => Array.from(a))).toEqual(full.state[part].map((a) => Array.from(a)));
    }
    expect(compact.state.adamM.every((a) => a.every((x) => x === 0))).toBe(true);
    let worst = 0;
    for (const [i, a] of compact.state.adamV.entries()) {
      for (const [j, v] of a.entries()) {
        const exact = full.state.adamV[i]![j]!;
        if (exact > 0) worst = Math.max(worst, Math.abs(v - exact) / exact);
      }
    }
    expect(worst).toBeGreaterThan(0); // rounded, not copied
    expect(worst).toBeLessThanOrEqual(2 ** -8); // bfloat16: 8 significant bits, round to nearest
    const total = full.state.weights.reduce((n, a) => n + a.length, 0);
    expect(readFileSync(join(compactDir, 'adam_v.bin')).length).toBe(2 * total);

    config.train.steps = 8;
    const resumed = await train({ ...quiet(config, dataset, join(tmp, 'compact-resumed')), resume: { ...compact, dir: undefined } });
    expect(resumed.step).toBe(8);
    expect(Number.isFinite(resumed.loss)).toBe(true);

    const vPath = join(compactDir, 'adam_v.bin');
    const bytes = readFileSync(vPath);
    bytes[3] ^= 0x40;
    writeFileSync(vPath, bytes);
    await expect(loadCheckpoint(compactDir)).rejects.toThrow(/adam_v\.bin: CRC-32 mismatch/);
  });
});

describe('run folders', () => {
  it('a continued run carries the log up to its step; a checkpoint where none may be, or none to resume, is refused', async () => {
    const { runDir } = await trainTinyMoons('source', { steps: 4, batchSize: 8, checkpointEvery: 4, logEvery: 2 });
    // A killed run's lines past its checkpoint (and a half-written one) are not carried.
    writeFileSync(join(runDir, 'log.jsonl'), `${readFileSync(join(runDir, 'log.jsonl'), 'utf8')}{"step":6,"loss":1}\n{"step":8,"lo`);
    const steps = (dir: string) => readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    for (const source of [runDir, join(runDir, 'checkpoint')]) {
      const out = join(tmp, `continued-${source === runDir ? 'run' : 'ckpt'}`);
      const run = await openRunFolder({ out, resumeFrom: source });
      await run.release();
      expect(run.checkpoint?.step).toBe(4);
      expect(run.checkpoint?.dir).toBeUndefined();
      expect(steps(out)).toEqual([2, 4]);
    }
    const compact = join(tmp, 'source-compact');
    await saveCompactCopy(await loadCheckpoint(join(runDir, 'checkpoint')), compact);
    expect(steps(compact)).toEqual([2, 4]);

    await expect(openRunFolder({ out: runDir })).rejects.toThrow(/already holds a checkpoint; add --resume/);
    await expect(openRunFolder({ out: runDir, resumeFrom: compact })).rejects.toThrow(RunFolderError);
    await expect(openRunFolder({ out: join(tmp, 'empty'), resume: true })).rejects.toThrow(/has no checkpoint to resume/);
    // Each refusal released the lock.
    const again = await openRunFolder({ out: runDir, resume: true });
    await again.release();
    expect(readdirSync(runDir)).not.toContain('.lock');
  });
});
