// Run folders as `onnx-ddpm train` processes share them: the built CLI in child processes.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, deadPid, errorLines, requireBuiltCli } from './cli-helpers.js';

let dir: string;
beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-runs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = JSON.stringify({ model: { hidden: 16, layers: 1, timeEmbedDim: 8 } });
const toy = (out: string, ...more: string[]) => [
  'train', '--data', 'toy:moons', '--out', out, '--backend', 'cpu', '--batch', '16', '--config', TINY, '--preview-every', '0', ...more,
];

/** Resolves once `text` matches the child's stderr so far. */
async function waitFor(stderr: () => string, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!pattern.test(stderr())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern}; stderr so far:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A long toy run in `<dir>/<name>` with `args`, killed (SIGKILL) once it has logged `step`: its folder and pid. */
async function killedToyRun(name: string, step: number, ...args: string[]): Promise<{ run: string; pid: number | undefined }> {
  const run = join(dir, name);
  const first = cliAsync(toy(run, '--steps', '100000', ...args));
  await waitFor(first.stderr, new RegExp(`^step ${step}/`, 'm'));
  first.child.kill('SIGKILL');
  await first.done;
  return { run, pid: first.child.pid };
}

const logSteps = (run: string) =>
  readFileSync(join(run, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { step: number }).step);

describe('one train per run folder', () => {
  it('a second train on a busy --out refuses, naming the holder; --resume too; the first run is intact', async () => {
    const run = join(dir, 'busy');
    const first = cliAsync(toy(run, '--steps', '100000', '--log-every', '10', '--checkpoint-every', '1'));
    try {
      await waitFor(first.stderr, /^step 10\//m);
      for (const second of [toy(run, '--steps', '50'), ['train', '--out', run, '--resume', '--backend', 'cpu']]) {
        const r = cli(second);
        expect(r.status).toBe(1);
        expect(errorLines(r.stderr)).toEqual([
          expect.stringMatching(new RegExp(`^onnx-ddpm train: .*busy is in use by process ${first.child.pid} \\(onnx-ddpm train --data toy:moons .*\\); wait for it to finish or stop it`)),
        ]);
      }
    } finally {
      first.child.kill('SIGINT');
    }
    const r = await first.done;
    expect(r.status).toBe(130);
    expect(r.stderr).toMatch(/SIGINT: saving a checkpoint/);
    const steps = logSteps(run);
    // One run's log, not two interleaved.
    expect(steps.length).toBeGreaterThan(0);
    expect(steps).toEqual(steps.map((_, i) => 10 * (i + 1)));
    expect(existsSync(join(run, '.lock'))).toBe(false);
  });

  it('of two new runs started 0.3 s apart, one trains and the other refuses, naming it', async () => {
    const run = join(dir, 'race');
    const a = cliAsync(toy(run, '--steps', '200', '--log-every', '50'));
    await new Promise((r) => setTimeout(r, 300));
    const b = cliAsync(toy(run, '--steps', '200', '--log-every', '50'));
    const results = [await a.done, await b.done];
    const pids = [a.child.pid, b.child.pid];
    const winner = results.findIndex((r) => r.status === 0);
    expect(winner).toBeGreaterThanOrEqual(0);
    const loser = results[1 - winner]!;
    expect(loser.status).toBe(1);
    expect(errorLines(loser.stderr).at(-1)).toMatch(new RegExp(`is in use by process ${pids[winner]} `));
    expect(logSteps(run)).toEqual([50, 100, 150, 200]);
  });

  it('the lock of a killed process is taken over', async () => {
    const { run, pid } = await killedToyRun('killed', 10, '--log-every', '10', '--checkpoint-every', '1');
    expect(JSON.parse(readFileSync(join(run, '.lock'), 'utf8'))).toMatchObject({ pid });
    const r = cli(['train', '--out', run, '--resume', '--backend', 'cpu', '--steps', '20']);
    expect(r.stderr).toMatch(new RegExp(`taking over the lock of process ${pid}, which is no longer running`));
    expect(r.status).toBe(0);
    expect(existsSync(join(run, '.lock'))).toBe(false);
  });
});

describe('a new run starts a new log', () => {
  it('after a run killed before its first checkpoint, log.jsonl holds only the new run', async () => {
    const { run } = await killedToyRun('fresh-log', 15, '--log-every', '5', '--checkpoint-every', '100000');
    expect(existsSync(join(run, 'checkpoint'))).toBe(false);
    expect(logSteps(run).slice(0, 3)).toEqual([5, 10, 15]);
    const r = cli(toy(run, '--steps', '20', '--log-every', '10'));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/log\.jsonl: left by an earlier run that saved no checkpoint; this new run starts a new log/);
    expect(logSteps(run)).toEqual([10, 20]);
  });
});

describe('a diverging run', () => {
  it('NaN loss before the first checkpoint says no checkpoint was saved yet (exit 1, one line)', () => {
    const run = join(dir, 'nan');
    const r = cli(toy(run, '--steps', '50', '--lr', '1e30'));
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^onnx-ddpm train: the loss became NaN at step \d+; try a lower --lr\. No checkpoint was saved yet$/);
    expect(existsSync(join(run, 'checkpoint'))).toBe(false);
  });
});

describe('leftovers of killed runs', () => {
  it('train --export and export --compact-checkpoint remove the temp files and folders dead writers left there', () => {
    const work = join(dir, 'leftovers');
    const run = join(work, 'run');
    mkdirSync(run, { recursive: true });
    const dead = deadPid();
    const stale = [`m.onnx.tmp-${dead}`, `run/config.json.tmp-${dead}-ab12cd34`, `run/.lock.tmp-${dead}-0f0f0f0f`, `.c.ckpt.tmp-${dead}-m3x9k2/`, `.c.ckpt.old-${dead}-m3x9k2/`];
    for (const f of stale) {
      if (f.endsWith('/')) {
        mkdirSync(join(work, f));
        writeFileSync(join(work, f, 'weights.bin'), 'partial');
      } else writeFileSync(join(work, f), 'partial');
    }
    const r = cli(toy(run, '--steps', '5', '--export', join(work, 'm.onnx')));
    expect(r.status).toBe(0);
    const e = cli(['export', '--checkpoint', run, '--compact-checkpoint', join(work, 'c.ckpt')]);
    expect(e.status).toBe(0);
    for (const f of stale) expect(existsSync(join(work, f)), f).toBe(false);
    expect(existsSync(join(work, 'c.ckpt', 'checkpoint.json'))).toBe(true);
  });
});
