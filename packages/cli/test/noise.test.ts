import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImageRaster, decodeImageTensor, encodeImageGrid } from '@onnx-ddpm/sampler/node';
import { addNoise, computeTables, DEFAULT_SCHEDULER_CONFIG, PhiloxNoise, parseSchedulerConfig } from '@onnx-ddpm/schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

/** The documented pixel mapping: (x + 1) / 2 · 255, rounded, clamped to [0, 255]. */
const toByte = (x: number): number => Math.min(255, Math.max(0, Math.round(((x + 1) / 2) * 255)));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('onnx-ddpm noise', () => {
  let dir: string;
  let input: string;
  let inputData: Float32Array;
  const size = 16;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'pnpm build' before the CLI tests`);
    dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-noise-'));
    // A gray test card: a bright disc on a dark ramp.
    const data = new Float32Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) data[y * size + x] = Math.hypot(x - 8, y - 8) < 5 ? 0.9 : -1 + x / size;
    }
    input = join(dir, 'card.png');
    writeFileSync(input, await encodeImageGrid(data, [1, 1, size, size], { scale: 1, padding: 0 }));
    inputData = (await decodeImageTensor(readFileSync(input), { size })).data;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a strip of q(x_t|x_0) with the schedule and Philox ε, t=0 ≈ input and t=T−1 ≈ pure noise', async () => {
    const out = join(dir, 'sub', 'strip.png');
    const steps = [0, 500, 999];
    const r = cli(['noise', '--image', input, '--steps', steps.join(','), '--size', String(size), '--scale', '2', '--seed', '7', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrote .*strip\.png: 3 frames of 1×16×16 \(linear schedule, T=1000, seed 7\)/);
    const strip = await decodeImageRaster(readFileSync(out));
    const cell = 2 * size;
    expect(strip.height).toBe(20 + cell + 4);
    const left = strip.width - steps.length * (cell + 4);
    expect(left).toBeGreaterThan(8);

    // Expected frames, computed here from the schedule package: x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε.
    const tables = computeTables(DEFAULT_SCHEDULER_CONFIG);
    const eps = new Float32Array(size * size);
    new PhiloxNoise(7).fill(0, eps);
    const frame = (col: number): number[] => {
      const px: number[] = [];
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const sx = left + col * (cell + 4) + 2 * x + 1;
          const value = strip.data[((20 + 2 * y + 1) * strip.width + sx) * strip.channels]!;
          px.push(value);
        }
      }
      return px;
    };
    steps.forEach((t, col) => {
      const expected = new Float32Array(size * size);
      addNoise(tables, inputData, eps, [t], expected);
      expect(frame(col)).toEqual(Array.from(expected, toByte));
    });

    const inputBytes = Array.from(inputData, toByte);
    const first = frame(0);
    const diffs = first.map((v, i) => Math.abs(v - inputBytes[i]!));
    expect(Math.max(...diffs)).toBeLessThanOrEqual(8);
    expect(diffs.reduce((a, b) => a + b, 0) / diffs.length).toBeLessThan(2);

    // The last frame is N(0, 1) clipped to [−1, 1] (std ≈ 0.72), uncorrelated with the input.
    const last = frame(2).map((b) => b / 127.5 - 1);
    const mean = last.reduce((a, b) => a + b, 0) / last.length;
    const std = Math.sqrt(last.reduce((a, b) => a + (b - mean) ** 2, 0) / last.length);
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(std).toBeGreaterThan(0.6);
    expect(std).toBeLessThan(0.85);
    const inMean = inputData.reduce((a, b) => a + b, 0) / inputData.length;
    let cov = 0;
    let inVar = 0;
    last.forEach((v, i) => {
      cov += (v - mean) * (inputData[i]! - inMean);
      inVar += (inputData[i]! - inMean) ** 2;
    });
    expect(Math.abs(cov / Math.sqrt(inVar * std * std * last.length))).toBeLessThan(0.25);
  });

  it('uses --schedule and --scheduler-config, and keeps colour images in colour', async () => {
    const cfg = join(dir, 'scheduler_config.json');
    writeFileSync(cfg, JSON.stringify({ _class_name: 'DDPMScheduler', num_train_timesteps: 50, beta_schedule: 'linear' }));
    // A pure red 8×8 image.
    const red = new Float32Array(3 * 64).fill(-1).fill(1, 0, 64);
    const redPath = join(dir, 'red.png');
    writeFileSync(redPath, await encodeImageGrid(red, [1, 3, 8, 8], { scale: 1, padding: 0 }));
    const out = join(dir, 'cos.png');
    const args = ['--scheduler-config', cfg, '--schedule', 'squaredcos_cap_v2', '--steps', '0,25', '--size', '8', '--scale', '6'];
    const r = cli(['noise', '--image', redPath, ...args, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/2 frames of 3×8×8 \(squaredcos_cap_v2 schedule, T=50/);
    const tables = computeTables(parseSchedulerConfig({ num_train_timesteps: 50, beta_schedule: 'squaredcos_cap_v2' }));
    expect(r.stdout).toContain(`√ᾱ_t=${tables.sqrtAlphaBars[25]!.toFixed(4)}`);
    const strip = await decodeImageRaster(readFileSync(out));
    expect(strip.channels).toBe(3);
    const left = strip.width - 2 * (48 + 4);
    const [r0, g0, b0] = strip.data.subarray(((20 + 24) * strip.width + left + 24) * 3);
    expect(r0).toBeGreaterThan(230);
    expect(g0).toBeLessThan(25);
    expect(b0).toBeLessThan(25);
  });

  it('rejects bad input with a clear message, a non-zero exit and no output file', () => {
    const notImage = join(dir, 'notes.txt');
    writeFileSync(notImage, 'just text');
    const out = join(dir, 'bad', 'never.png');
    const cases: [string[], number, RegExp][] = [
      [['--image', join(dir, 'missing.png')], 1, /cannot read --image .*missing\.png: ENOENT/],
      [['--image', notImage], 1, /notes\.txt is not a readable image/],
      [['--image', input, '--steps', '0,abc'], 2, /--steps must be a comma-separated list of integers, got '0,abc'/],
      [['--image', input, '--steps', '0,1000'], 2, /timestep 1000 is out of range; this schedule has t = 0\.\.999/],
      [['--image', input, '--schedule', 'cubic'], 2, /--schedule must be one of linear, .*got 'cubic'/],
      [['--image', input, '--scheduler-config', notImage], 1, /is not valid JSON/],
      [['--steps', '1'], 2, /--image is required/],
    ];
    for (const [args, code, message] of cases) {
      const r = cli(['noise', ...args, '--out', out]);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.status, args.join(' ')).toBe(code);
    }
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});
