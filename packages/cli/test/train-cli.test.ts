import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkModel } from '@onnx-ddpm/onnx/checker';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '@onnx-ddpm/trainer/node';

// These tests run the built CLI (`pnpm build` first; the root `pnpm test` does).
const MAIN = resolve(import.meta.dirname, '../dist/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'ddpm-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TINY = JSON.stringify({ model: { hidden: 32, layers: 2, timeEmbedDim: 16 } });

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('onnx-ddpm train / export', () => {
  it('trains a toy, exports it in the same command, and the ONNX checker accepts the file', async () => {
    const run = join(tmp, 'moons');
    const onnx = join(tmp, 'moons.onnx');
    const r = cli([
      'train', '--data', 'toy:moons', '--out', run, '--export', onnx, '--backend', 'wasm', '--workers', '2',
      '--steps', '150', '--batch', '64', '--config', TINY, '--log-every', '50', '--preview-every', '150',
    ]);
    expect(r.stderr).toMatch(/trained at step 150\/150/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/engine: 2 data-parallel workers on wasm/);
    // Not a TTY: plain progress lines.
    expect(r.stderr).toMatch(/^step 100\/150 loss \d\.\d+ [\d.]+ it\/s ETA/m);
    expect(r.stderr).toMatch(/exported .*moons\.onnx .*max abs diff/);
    const check = await checkModel(onnx);
    if (check.available) expect(check, check.message).toMatchObject({ ok: true });
    const ckpt = await loadCheckpoint(run);
    expect(ckpt.step).toBe(150);
    expect(ckpt.config.model).toMatchObject({ kind: 'mlp', hidden: 32 });
    expect(readdirSync(join(run, 'previews'))).toEqual(['step-0000150.png']);
    expect(readFileSync(join(run, 'previews', 'step-0000150.png')).subarray(1, 4).toString()).toBe('PNG');
    const log = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((l) => l.step)).toEqual([50, 100, 150]);
    expect(Object.keys(log[0]).sort()).toEqual(['elapsed_s', 'ema_loss', 'grad_norm', 'img_per_s', 'loss', 'lr', 'step']);

    const raw = join(tmp, 'moons-raw.onnx');
    const e = cli(['export', '--checkpoint', join(run, 'checkpoint'), '--out', raw, '--no-ema', '--backend', 'wasm']);
    expect(e.stderr).toMatch(/step 150 of toy:moons, raw weights/);
    expect(e.code).toBe(0);
    expect(readFileSync(raw).equals(readFileSync(onnx))).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);

    // A compact copy continues in a fresh run folder, carrying the loss history up to its step.
    const compact = join(tmp, 'moons-compact');
    const c = cli(['export', '--checkpoint', run, '--compact-checkpoint', compact]);
    expect(c.stderr).toMatch(/compact checkpoint of step 150/);
    expect(c.code).toBe(0);
    expect(existsSync(join(tmp, 'moons-compact.onnx'))).toBe(false);
    const more = join(tmp, 'moons-more');
    const m = cli(['train', '--out', more, '--resume-from', compact, '--steps', '200', '--backend', 'wasm', '--workers', '1']);
    expect(m.stderr).toMatch(/is compact: Adam's first moments restart at zero/);
    expect(m.stderr).toMatch(/trained at step 200\/200/);
    expect(m.code).toBe(0);
    const moreLog = readFileSync(join(more, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(moreLog.map((l) => l.step)).toEqual([50, 100, 150, 200]);
    const continued = await loadCheckpoint(more);
    expect(continued.step).toBe(200);
    expect(continued.config).toEqual({ ...ckpt.config, train: { ...ckpt.config.train, steps: 200 } });
  });

  it('refuses bad input with one line and no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['train', '--data', 'toy:spiral', '--out', join(tmp, 'x')], /unknown toy 'spiral'/],
      [['train', '--data', `idx:${join(tmp, 'missing.gz')}`, '--out', join(tmp, 'y')], /cannot read IDX file .*missing\.gz/],
      [['train', '--out', join(tmp, 'z'), '--resume'], /has no checkpoint to resume/],
      [['train', '--data', 'toy:moons', '--out', join(tmp, 'moons')], /already holds a checkpoint; add --resume/],
      [['train', '--out', join(tmp, 'moons'), '--resume', '--lr', '1'], /--lr cannot be changed/],
      [['train', '--data', 'toy:moons', '--out', join(tmp, 'v'), '--class-cond'], /class-conditional training needs labels/],
      [['export', '--checkpoint', join(tmp, 'nothing'), '--out', join(tmp, 'n.onnx')], /nothing: no checkpoint here/],
      [['export', '--checkpoint', join(tmp, 'moons')], /nothing to write: give --out/],
      [['train', '--out', join(tmp, 'moons'), '--resume-from', join(tmp, 'moons')], /already holds a checkpoint; --resume-from starts a new run folder/],
      [['train', '--out', join(tmp, 'w'), '--resume-from', join(tmp, 'nothing')], /nothing: no checkpoint here/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.code, args.join(' ')).not.toBe(70);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(tmp, 'n.onnx'))).toBe(false);
  });

  it('lists its flags in --help', () => {
    const r = cli(['train', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--data', '--out', '--export', '--steps', '--batch', '--lr', '--backend', '--workers', '--resume', '--config', '--seed', '--ema', '--checkpoint-every', '--log-every', '--preview-every', '--skip-bad', '--class-cond', '--no-class-cond']) {
      expect(r.stdout).toContain(flag);
    }
    const e = cli(['export', '--help']);
    for (const flag of ['--checkpoint', '--out', '--no-ema', '--opset']) expect(e.stdout).toContain(flag);
  });
});
