// Unknown or inconsistent configuration is an error, found before any work: the built CLI in a child process.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, errorLines, requireBuiltCli, tinyImageModel } from './cli-helpers.js';

let dir: string;
const path = (name: string) => join(dir, name);

/** An IDX file: magic (0, 0, 0x08 = uint8, rank), big-endian dims, the bytes. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);
  header.writeUInt8(dims.length, 3);
  for (const [i, d] of dims.entries()) header.writeUInt32BE(d, 4 + 4 * i);
  return Buffer.concat([header, data]);
}

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-config-'));
  const n = 12;
  const images = idx([n, 4, 4], Uint8Array.from({ length: n * 16 }, (_, i) => (i * 37) % 256));
  // Labels 0–9 and one stray 10.
  const labels = idx([n], Uint8Array.from({ length: n }, (_, i) => (i === 7 ? 10 : i % 10)));
  writeFileSync(path('images.idx'), images);
  writeFileSync(path('labels.idx'), labels);
  mkdirSync(path('datasets/fashion-mnist'), { recursive: true });
  writeFileSync(path('datasets/fashion-mnist/train-images-idx3-ubyte'), images);
  writeFileSync(path('datasets/fashion-mnist/train-labels-idx1-ubyte'), labels);
  writeFileSync(path('img.onnx'), tinyImageModel());
  writeFileSync(path('img200.onnx'), tinyImageModel(0, { num_train_timesteps: 200 }));
  writeFileSync(path('underflow.json'), JSON.stringify({ num_train_timesteps: 200, beta_start: 0.3, beta_end: 0.9, clip_sample: false }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const train = (...args: string[]) => cli(['train', '--out', path(`run-${Math.random().toString(36).slice(2)}`), '--backend', 'cpu', '--preview-every', '0', ...args]);
/** A U-Net small enough that one step takes a moment. */
const SMALL_UNET = JSON.stringify({ model: { baseChannels: 8, channelMultipliers: [1], attentionResolutions: [], groups: 4 } });

describe('--config', () => {
  it("an unknown key in the model section is an error, like the train section's", () => {
    const r = train('--data', 'toy:moons', '--config', '{"model": {"hiden": 64}}');
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr).at(-1)).toMatch(/^onnx-ddpm train: model config: unknown field 'hiden' for kind "mlp" \(fields: kind, dataDim, hidden, /);
    expect(r.stderr).not.toMatch(/^step /m);
  });

  it('beta_start above beta_end is an error', () => {
    const r = train('--data', 'toy:moons', '--config', '{"scheduler": {"beta_start": 0.02, "beta_end": 0.0001}}');
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr).at(-1)).toBe('onnx-ddpm train: scheduler config: beta_start 0.02 is above beta_end 0.0001; the noise must grow with t');
  });
});

describe('the schedule', () => {
  it('ᾱ underflowing to 0 is named as the cause, before sampling', () => {
    const r = cli(['sample', '--model', path('img200.onnx'), '--scheduler-config', path('underflow.json'), '--n', '2', '--ep', 'cpu', '--save-npy', path('never.npy')]);
    expect(r.status).toBe(1);
    const lines = errorLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ᾱ_t = Π\(1 − β\) underflows float32 at t = \d+ of 200 \(linear from beta_start 0\.3 to beta_end 0\.9\): sampling would divide by √ᾱ_t = 0/);
    expect(lines[0]).not.toMatch(/model output or the noise/);
  });
});

describe('labels', () => {
  it('a stray label 10 in a named dataset is an error, not an 11-class model', () => {
    const r = spawnTrainWithDatasets();
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr).at(-1)).toMatch(/train-labels-idx1-ubyte: label 10 \(item 7\) is out of range: fashion-mnist has 10 classes, 0–9 \(a damaged or different labels file\?\)$/);
  });

  it('idx: labels say how many classes they make, and --num-classes sets and checks the count', () => {
    const data = `idx:${path('images.idx')},${path('labels.idx')}`;
    const inferred = train('--data', data, '--steps', '1', '--batch', '2', '--config', SMALL_UNET);
    expect(inferred.stderr).toMatch(/labels\.idx: 11 classes \(labels 0–10\), from its largest label; give --num-classes to set the count/);
    expect(inferred.status).toBe(0);
    const checked = train('--data', data, '--num-classes', '10', '--steps', '1');
    expect(checked.status).toBe(1);
    expect(errorLines(checked.stderr).at(-1)).toMatch(/labels\.idx: label 10 \(item 7\) is out of range: --num-classes has 10 classes, 0–9$/);
    const wider = train('--data', data, '--num-classes', '12', '--steps', '1', '--batch', '2', '--config', SMALL_UNET);
    expect(wider.stderr).toMatch(/data: .*12 classes/);
    expect(wider.stderr).not.toMatch(/from its largest label/);
    expect(wider.status).toBe(0);
    const named = train('--data', 'toy:moons', '--num-classes', '3');
    expect(named.status).toBe(2);
  });
});

describe('integers are decimal', () => {
  for (const n of ['1e3', '0x10', '1.0', ' 5']) {
    it(`--n ${JSON.stringify(n)} is refused`, () => {
      const r = cli(['sample', '--model', path('img.onnx'), '--n', n, '--save-npy', path('never.npy')]);
      expect(r.status).toBe(2);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^onnx-ddpm sample: --n must be an integer ≥ 1, got '.*'/)]);
    });
  }
});

function spawnTrainWithDatasets() {
  const prev = process.env['ONNX_DDPM_DATASETS'];
  process.env['ONNX_DDPM_DATASETS'] = path('datasets');
  try {
    return train('--data', 'fashion-mnist', '--steps', '1');
  } finally {
    if (prev === undefined) delete process.env['ONNX_DDPM_DATASETS'];
    else process.env['ONNX_DDPM_DATASETS'] = prev;
  }
}
