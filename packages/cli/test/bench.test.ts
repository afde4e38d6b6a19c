import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport, BenchTableReport } from '@onnx-ddpm/measure/bench';

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

describe('onnx-ddpm bench', () => {
  it('reports per batch model ms/step, loop overhead, FLOPs and GFLOP/s, and the matmul reference (--json)', () => {
    const r = cli(['bench', '--model', model, '--batch', '1,3', '--steps', '4', '--matmul-size', '64', '--compare', model, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport & { ratios: { batch: number; ratio: number }[] };
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
        // A tiny model's loop and matmul share can round to 0 at the report's precision.
        expect(row.loopMsPerStep).toBeGreaterThanOrEqual(0);
        expect(row.overheadPercent).toBeGreaterThanOrEqual(0);
        expect(row.overheadPercent).toBeLessThan(100);
        expect(row.gflops).toBeCloseTo(row.flopsPerCall / (row.modelMsPerStep * 1e6), 0);
        expect(row.percentOfMatmul).toBeCloseTo((100 * row.gflops) / report.matmul.gflops, 0);
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
      [['--model', model, '--markdown'], 2, /--markdown applies to the benchmark table \(--runtimes or --train\)/],
    ];
    for (const [args, code, message] of cases) {
      const r = cli(['bench', ...args, '--steps', args.includes('--steps') ? args[args.indexOf('--steps') + 1]! : '1']);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.status, args.join(' ')).toBe(code);
    }
  });
});

const SAMPLING_IDS = ['ort-node-cpu', 'ort-node-webgpu', 'ort-node-cuda', 'ort-web-wasm-node', 'chromium-wasm', 'chromium-webgpu'];

describe('onnx-ddpm bench --runtimes/--train (the benchmark table)', () => {
  it('times every selected runtime in its own process: ms/step, overhead, GFLOP/s, % of matmul, peak RSS; the rest skipped with a reason', () => {
    const r = cli(['bench', '--model', model, '--runtimes', 'ort-node-cpu,ort-web-wasm-node', '--batch', '2,1', '--steps', '3', '--slow-steps', '2', '--matmul-size', '32', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BenchTableReport;
    expect(report.training).toBeNull();
    expect(Number.isNaN(Date.parse(report.machine.date))).toBe(false);
    expect(report.machine.cpu).not.toBe('');
    expect(report.machine.cores).toBeGreaterThanOrEqual(1);
    expect(report.machine.node).toBe(process.version);
    const s = report.sampling!;
    expect(s.model).toContain('tiny.onnx');
    expect(s.sampleShape).toEqual([1, 16, 16]);
    expect(s.batches).toEqual([1, 2]);
    expect(s.matmul.size).toBe(32);
    expect(s.matmul.gflops).toBeGreaterThan(0);
    expect(s.runtimes.map((x) => x.id)).toEqual(SAMPLING_IDS);
    for (const rt of s.runtimes) {
      if (rt.id !== 'ort-node-cpu' && rt.id !== 'ort-web-wasm-node') {
        expect(rt.status, rt.id).toBe('skipped');
        expect(rt.reason).toBe('not selected (--runtimes ort-node-cpu,ort-web-wasm-node)');
        expect(rt.rows).toEqual([]);
        expect(rt.peakRss.bytes).toBeNull();
        continue;
      }
      expect(rt.status, `${rt.id}: ${rt.reason}`).toBe('ran');
      expect(rt.detail).toMatch(rt.id === 'ort-node-cpu' ? /onnxruntime-node .*cpu EP/ : /onnxruntime-web .*wasm EP/);
      expect(rt.steps).toBe(rt.id === 'ort-node-cpu' ? 3 : 2);
      expect(rt.rows.map((row) => row.batch)).toEqual([1, 2]);
      for (const row of rt.rows) {
        expect(row.steps).toBe(rt.steps);
        expect(row.gflopPerStep).toBeCloseTo((2 * row.batch * 256 * 144) / 1e9, 6);
        expect(row.msPerStep).toBeGreaterThan(0);
        expect(row.modelMsPerStep).toBeGreaterThan(0);
        expect(row.modelMsPerStep!).toBeLessThanOrEqual(row.msPerStep);
        expect(row.overheadPercent).toBeGreaterThanOrEqual(0);
        expect(row.overheadPercent).toBeLessThan(100);
        expect(row.gflops).toBeCloseTo((2 * row.batch * 256 * 144) / (row.modelMsPerStep! * 1e6), 1);
        expect(row.percentOfMatmul).toBeCloseTo((100 * row.gflops) / s.matmul.gflops, 0);
        for (const v of Object.values(row)) expect(Number.isFinite(v)).toBe(true);
      }
      // A Node process with onnxruntime loaded: tens of MiB at least, and below this machine's memory.
      expect(rt.peakRss.bytes).toBeGreaterThan(20 * 2 ** 20);
      expect(rt.peakRss.bytes).toBeLessThan(report.machine.memoryBytes);
      expect(rt.peakRss.largestBatch).toBe(2);
      expect(rt.peakRss.of).toBe('this child process');
    }
  });

  it('prints the README block with date, CPU, cores and Node (--markdown); an unavailable runtime is listed with the reason', () => {
    const r = cli(['bench', '--model', model, '--runtimes', 'ort-node-cpu,ort-node-cuda', '--batch', '1', '--steps', '2', '--matmul-size', '32', '--markdown']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('<!-- bench -->');
    expect(lines.at(-1)).toBe('<!-- /bench -->');
    const today = new Date().toISOString().slice(0, 10);
    expect(lines[1]).toMatch(new RegExp(`^Measured \\d{4}-\\d\\d-\\d\\d with \`pnpm bench\` on .+, \\d+ cores, Node ${process.version.replaceAll('.', '\\.')} `));
    expect(lines[1]!.slice(9, 19) <= today).toBe(true);
    expect(r.stdout).toContain('| runtime | batch | ms/step | loop overhead | GFLOP/step | GFLOP/s | of matmul | steps | peak RSS |');
    expect(r.stdout).toMatch(/\n\| ORT-node CPU \| 1 \| \d+\.\d+ \| \d+\.\d+% \| [\d.e-]+ \| \d+\.\d \| [\d.]+% \| 2 \| \d+ MiB \|\n/);
    // CUDA: measured where onnxruntime-node has it, else skipped with onnxruntime-node's reason.
    expect(r.stdout).toMatch(/\n\| ORT-node CUDA \| (1 \| \d|\s*\| (skipped|failed): \S.{10,})/);
    expect(r.stdout).toMatch(/\n\| Chromium wasm \|\s+\| skipped: not selected \(--runtimes ort-node-cpu,ort-node-cuda\) \|/);
    expect(r.stdout).not.toMatch(/^Training/m);
  });

  it('stops a runtime before a batch size projected to take longer than --max-run-s', () => {
    const r = cli(['bench', '--model', model, '--runtimes', 'ort-node-cpu', '--batch', '1,8192', '--steps', '50', '--max-run-s', '1', '--matmul-size', '32', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rt = (JSON.parse(r.stdout) as BenchTableReport).sampling!.runtimes[0]!;
    expect(rt.status).toBe('ran');
    expect(rt.rows.map((row) => row.batch)).toEqual([1]);
    expect(rt.capped).toMatch(/^batch 8192 not run: projected \d+ s > the cap of 1 s \(--max-run-s\)$/);
    expect(rt.peakRss.largestBatch).toBe(1);
  });

  it('measures training img/s and peak RSS per TF.js configuration in its own process; tfjs-node runs or is skipped with the reason', () => {
    const r = cli(['bench', '--train', 'wasm-1,tensorflow', '--train-batch', '2', '--train-steps', '1', '--train-warmup', '0', '--train-image-size', '8', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BenchTableReport;
    expect(report.sampling).toBeNull();
    const t = report.training!;
    expect(t.model).toMatch(/^default 8×8×1 U-Net, 10 classes, \d+ parameters$/);
    expect(t.forwardGflopPerImage).toBeGreaterThan(0);
    expect(t.configs.map((c) => c.id)).toEqual(['wasm-1', 'wasm-2', 'cpu', 'tensorflow']);
    const [wasm1, wasm2, cpu, tensorflow] = t.configs;
    expect(wasm1!.status, wasm1!.reason).toBe('ran');
    expect(wasm1!.detail).toMatch(/^1 worker on wasm/);
    expect(wasm1!.batch).toBe(2);
    expect(wasm1!.msPerStep).toBeGreaterThan(0);
    expect(wasm1!.imgPerS).toBeCloseTo(2000 / wasm1!.msPerStep!, 1);
    expect(wasm1!.gflops).toBeCloseTo((3 * t.forwardGflopPerImage * wasm1!.imgPerS!), 1);
    expect(wasm1!.peakRssBytes).toBeGreaterThan(20 * 2 ** 20);
    for (const c of [wasm2!, cpu!]) {
      expect(c.status).toBe('skipped');
      expect(c.reason).toBe('not selected (--train wasm-1,tensorflow)');
      expect(c.msPerStep).toBeNull();
      expect(c.peakRssBytes).toBeNull();
    }
    if (tensorflow!.status === 'ran') expect(tensorflow!.imgPerS).toBeGreaterThan(0);
    else {
      expect(tensorflow!.status).toBe('skipped');
      expect(tensorflow!.reason).toMatch(/tfjs-node/);
    }
  });

  it('rejects bad flags with one line and exit code 2, a missing model with exit code 1', () => {
    const cases: [string[], number, RegExp][] = [
      [['--runtimes', 'tpu'], 2, /^--runtimes: unknown 'tpu' in 'tpu' \(choose from all, none, ort-node-cpu, .*chromium-webgpu\)$/],
      [['--runtimes', 'ort-node-cpu,'], 2, /^--runtimes: unknown empty entry in 'ort-node-cpu,'/],
      [['--train', 'gpu'], 2, /^--train: unknown 'gpu' in 'gpu' \(choose from all, none, wasm-1, wasm-2, cpu, tensorflow\)$/],
      [['--runtimes', 'none', '--train', 'none'], 2, /^nothing to run: --runtimes none and --train none$/],
      [['--runtimes', 'all', '--compare', model], 2, /^--compare applies to the in-process bench, not to the table/],
      [['--runtimes', 'all', '--json', '--markdown'], 2, /^--json and --markdown exclude each other$/],
      [['--runtimes', 'ort-node-cpu', '--slow-steps', '0'], 2, /^--slow-steps must be an integer ≥ 1, got '0'$/],
      [['--train', 'wasm-1', '--train-batch', '0'], 2, /^--train-batch must be an integer ≥ 1, got '0'$/],
      [['--train', 'cpu', '--train-image-size', '1'], 2, /^--train-image-size must be an integer ≥ 2, got '1'$/],
      [['--runtimes', 'ort-node-cpu', '--model', model, '--steps', '101'], 2, /^--steps 101 exceeds the model's 100 training timesteps$/],
      [['--runtimes', 'ort-node-cpu', '--model', join(dir, 'missing.onnx')], 1, /^model not found: .*missing\.onnx/],
    ];
    for (const [args, code, message] of cases) {
      const r = cli(['bench', ...args]);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]!.replace(/^onnx-ddpm bench: /, ''), args.join(' ')).toMatch(message);
      expect(r.status, args.join(' ')).toBe(code);
      expect(r.stdout, args.join(' ')).toBe('');
    }
  });
});
