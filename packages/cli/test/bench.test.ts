import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A contract-shaped ε-model: sample [N, 1, s, s] → Conv 1→8 (3×3) → Conv 8→1 (3×3) → out_sample. */
function tinyModel(size: number): Uint8Array {
  const b = new GraphBuilder({ name: 'tiny' });
  const x = b.input('sample', 'float32', ['N', 1, size, size]);
  b.input('timestep', 'int64', ['N']);
  const w1 = b.initializer('w1', 'float32', [8, 1, 3, 3], new Float32Array(72).fill(0.02));
  const w2 = b.initializer('w2', 'float32', [1, 8, 3, 3], new Float32Array(72).fill(0.01));
  const [h] = b.node('Conv', [x, w1], { pads: [1, 1, 1, 1] });
  b.node('Conv', [h!, w2], { pads: [1, 1, 1, 1] }, { outputs: ['out_sample'] });
  b.output('out_sample', 'float32', ['N', 1, size, size]);
  const scheduler = { num_train_timesteps: 100, beta_schedule: 'linear', beta_start: 0.0001, beta_end: 0.02 };
  return encodeModel(b.build({ metadata: { 'onnx_ddpm.scheduler_config': JSON.stringify(scheduler) } }));
}

interface Row {
  batch: number;
  steps: number;
  modelMsPerStep: number;
  loopMsPerStep: number;
  overheadPercent: number;
  flopsPerCall: number;
  gflopPerCall: number;
  gflops: number;
  percentOfMatmul: number;
}

describe('onnx-ddpm bench', () => {
  let dir: string;
  let model: string;
  let other: string;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'pnpm build' before the CLI tests`);
    dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-bench-'));
    model = join(dir, 'tiny.onnx');
    other = join(dir, 'other.onnx');
    writeFileSync(model, tinyModel(16));
    writeFileSync(other, tinyModel(8));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports per batch model ms/step, loop overhead, FLOPs and GFLOP/s, and the matmul reference (--json)', () => {
    const r = cli(['bench', '--model', model, '--batch', '1,3', '--steps', '4', '--matmul-size', '64', '--compare', model, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as {
      method: string;
      steps: number;
      matmul: { size: number; bestMs: number; medianMs: number; gflops: number; medianGflops: number };
      models: { path: string; executionProvider: string; sampleShape: number[]; rows: Row[] }[];
      ratios: { batch: number; ratio: number }[];
    };
    expect(report.method).toBe('ddim');
    expect(report.steps).toBe(4);
    expect(report.matmul.size).toBe(64);
    expect(report.matmul.gflops).toBeGreaterThan(0);
    expect(report.matmul.medianGflops).toBeGreaterThan(0);
    expect(report.matmul.medianMs).toBeGreaterThanOrEqual(report.matmul.bestMs);
    expect(report.models).toHaveLength(2);
    for (const m of report.models) {
      expect(m.executionProvider).toBe('cpu');
      expect(m.sampleShape).toEqual([1, 16, 16]);
      expect(m.rows.map((row) => row.batch)).toEqual([1, 3]);
      for (const row of m.rows) {
        expect(row.steps).toBe(4);
        // Two 3×3 convs over 16×16: (8·1·9 + 1·8·9) MACs per pixel, 2 FLOPs per MAC.
        expect(row.flopsPerCall).toBe(2 * row.batch * 256 * 144);
        expect(row.gflopPerCall).toBeCloseTo(row.flopsPerCall / 1e9, 6);
        expect(row.modelMsPerStep).toBeGreaterThan(0);
        expect(row.loopMsPerStep).toBeGreaterThan(0);
        expect(row.overheadPercent).toBeGreaterThan(0);
        expect(row.overheadPercent).toBeLessThan(100);
        expect(row.gflops).toBeCloseTo(row.flopsPerCall / (row.modelMsPerStep * 1e6), 0);
        expect(row.percentOfMatmul).toBeGreaterThan(0);
      }
    }
    expect(report.ratios.map((x) => x.batch)).toEqual([1, 3]);
    for (const x of report.ratios) expect(x.ratio).toBeGreaterThan(0);
  });

  it('prints a readable table without --json', () => {
    const r = cli(['bench', '--model', model, '--batch', '2', '--steps', '2', '--matmul-size', '32']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ddim, 2 steps per batch size/);
    expect(r.stdout).toMatch(/batch\s+model ms\/step\s+loop overhead\s+GFLOP\/call\s+GFLOP\/s\s+of CPU matmul/);
    expect(r.stdout).toMatch(/\n\s+2\s+\d+\.\d\d\s+\d+\.\d%\s+0\.000\s/);
    expect(r.stdout).toMatch(/matmul 32×32×32 on onnxruntime-node CPU: \d+\.\d GFLOP\/s at best/);
  });

  it('rejects bad input with a clear message and a non-zero exit', () => {
    const cases: [string[], number, RegExp][] = [
      [['--model', join(dir, 'missing.onnx')], 1, /model not found: .*missing\.onnx/],
      [['--model', model, '--batch', '1,0'], 2, /--batch must be a comma-separated list of positive integers, got '1,0'/],
      [['--model', model, '--steps', '0'], 2, /--steps must be an integer ≥ 1/],
      [['--model', model, '--ep', 'tpu'], 2, /--ep: unknown execution provider 'tpu'/],
      [['--model', model, '--method', 'euler'], 2, /--method must be ddpm or ddim, got 'euler'/],
      [['--model', model, '--compare', other], 1, /--compare .*other\.onnx takes items of \[1, 8, 8\], .*tiny\.onnx takes \[1, 16, 16\]/],
      [['--model', model, '--compare', join(dir, 'nope.onnx')], 1, /cannot read --compare .*nope\.onnx: ENOENT/],
      [['--batch', '1'], 2, /--model is required/],
    ];
    for (const [args, code, message] of cases) {
      const r = cli(['bench', ...args, '--steps', args.includes('--steps') ? args[args.indexOf('--steps') + 1]! : '1']);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.status, args.join(' ')).toBe(code);
    }
  });
});
