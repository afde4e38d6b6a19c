import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadCheckpoint, loadDataset, selectBackend, train } from '@onnx-ddpm/trainer/node';
import { MAIN } from './cli-helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'ddpm-kill-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CHECKPOINT_EVERY = 4;
const STEPS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The steps in log.jsonl, one per completed step (a resumed run repeats the steps after its checkpoint). */
function loggedSteps(run: string): number[] {
  const path = join(run, 'log.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => (JSON.parse(l) as { step: number }).step);
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r(child.exitCode);
    else child.once('exit', (code) => r(code));
  });
}

it('survives kill -9 at random moments: the checkpoint always loads, loses ≤ one interval, and resuming ends as a straight run', async () => {
  const run = join(tmp, 'run');
  const args = [
    MAIN, 'train', '--out', run, '--backend', 'wasm', '--steps', String(STEPS), '--checkpoint-every', String(CHECKPOINT_EVERY),
    '--log-every', '1', '--preview-every', '0',
  ];
  const fresh = ['--data', 'toy:gmm', '--batch', '32', '--seed', '3', '--config', JSON.stringify({ model: { hidden: 16, layers: 1, timeEmbedDim: 8 } })];
  let previousStep = 0;
  for (let round = 0; round < 4; round++) {
    const linesBefore = loggedSteps(run).length;
    const child = spawn(process.execPath, [...args, ...(round === 0 ? fresh : ['--resume'])], { stdio: 'ignore' });
    const done = exited(child);
    // Wait until this process has saved a new checkpoint and trained on, then kill it a random moment later.
    const deadline = Date.now() + 60_000;
    while (loggedSteps(run).length < linesBefore + CHECKPOINT_EVERY + 1 && Date.now() < deadline && child.exitCode === null) await sleep(20);
    await sleep(Math.random() * 250);
    child.kill('SIGKILL');
    await done;
    const ckpt = await loadCheckpoint(run);
    expect(ckpt.step).toBeGreaterThan(previousStep);
    expect(loggedSteps(run).at(-1)! - ckpt.step).toBeLessThanOrEqual(CHECKPOINT_EVERY);
    previousStep = ckpt.step;
  }
  expect(previousStep).toBeGreaterThan(0);
  expect(previousStep).toBeLessThan(STEPS);

  const last = spawn(process.execPath, [...args, '--resume'], { stdio: 'ignore' });
  expect(await exited(last)).toBe(0);
  const final = await loadCheckpoint(run);
  expect(final.step).toBe(STEPS);

  // The same run without interruptions, in this process, ends bitwise equal.
  await selectBackend('wasm');
  const dataset = await loadDataset(final.config.data.spec, { seed: final.config.train.seed });
  const straight = await train({
    config: final.config,
    dataset,
    runDir: join(tmp, 'straight'),
    progress: null,
    log: () => {},
    handleSignals: false,
  });
  for (const part of ['weights', 'ema', 'adamM', 'adamV'] as const) {
    straight.state[part].forEach((a, i) => {
      expect(Buffer.from(a.buffer).equals(Buffer.from(final.state[part][i]!.buffer)), `${part}[${i}]`).toBe(true);
    });
  }
}, 300_000); // four killed rounds and a straight run: over the default 120 s on a busy machine

it('saves a checkpoint of the current step on Ctrl-C (SIGINT) and exits with 130', async () => {
  const run = join(tmp, 'sigint');
  const child = spawn(
    process.execPath,
    [
      MAIN, 'train', '--data', 'toy:moons', '--out', run, '--backend', 'wasm', '--steps', '100000', '--checkpoint-every', '100000',
      '--log-every', '1', '--preview-every', '0', '--batch', '16', '--config', JSON.stringify({ model: { hidden: 8, layers: 1, timeEmbedDim: 8 } }),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = exited(child);
  const deadline = Date.now() + 60_000;
  while (loggedSteps(run).length < 3 && Date.now() < deadline) await sleep(20);
  child.kill('SIGINT');
  expect(await done).toBe(130);
  const ckpt = await loadCheckpoint(run);
  // Nothing is lost: the checkpoint holds the last completed step.
  expect(ckpt.step).toBe(loggedSteps(run).at(-1));
  expect(ckpt.step).toBeGreaterThanOrEqual(3);
  expect(stderr).toMatch(/SIGINT: saving a checkpoint/);
  expect(stderr).toMatch(/continue with: onnx-ddpm train --out .* --resume/);
});
