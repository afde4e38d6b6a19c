// `onnx-ddpm invert` and `onnx-ddpm interpolate` through the built CLI on the committed models
// (few steps): inversion → `sample --latents` reconstructs Fashion-MNIST test images; seed
// interpolation's end frames are the seeds' own DDIM samples, bit for bit; bad input is refused.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeNpy, encodeNpy, psnr } from '@onnx-ddpm/sampler/node';
import { locateNamedDataset, readIdx } from '@onnx-ddpm/trainer/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, FASHION_MODEL, SCURVE_MODEL, scratchFolder } from './cli-helpers.js';

const FASHION = FASHION_MODEL;
const SCURVE = SCURVE_MODEL;
const p = scratchFolder('invert', () => ({}));
const npy = (name: string) => decodeNpy(readFileSync(p(name)));
const dataset = (() => {
  try {
    return locateNamedDataset('fashion-mnist', 'test');
  } catch {
    return null;
  }
})();

let images: Float32Array;
beforeAll(async () => {
  if (!dataset) return;
  const idx = await readIdx(dataset.images);
  images = Float32Array.from(idx.data.subarray(0, 2 * 784), (b) => b / 127.5 - 1);
  writeFileSync(p('test2.npy'), encodeNpy(images, [2, 1, 28, 28]));
});

describe('invert', () => {
  it.skipIf(!dataset)('inverts test images; sample --latents with the same DDIM steps reconstructs them', () => {
    const inv = cli(['invert', '--model', FASHION, '--ep', 'cpu', '--images', p('test2.npy'), '--steps', '50', '--save-npy', p('lat.npy'), '--check']);
    expect(inv.status, inv.stderr).toBe(0);
    const reported = Number(/reconstruction PSNR ([\d.]+) dB/.exec(inv.stdout)?.[1]);
    const lat = npy('lat.npy');
    expect(lat.shape).toEqual([2, 1, 28, 28]);
    const rec = cli(['sample', '--model', FASHION, '--ep', 'cpu', '--n', '2', '--latents', p('lat.npy'), '--method', 'ddim', '--steps', '50', '--save-npy', p('rec.npy')]);
    expect(rec.status, rec.stderr).toBe(0);
    const score = psnr(images, npy('rec.npy').data);
    expect(score).toBeGreaterThan(20);
    expect(score).toBeCloseTo(reported, 1);
  });

  it('refuses an image of the wrong size, writing nothing', () => {
    writeFileSync(p('wrong.npy'), encodeNpy(new Float32Array(2 * 16), [2, 1, 4, 4]));
    const r = cli(['invert', '--model', FASHION, '--ep', 'cpu', '--images', p('wrong.npy'), '--save-npy', p('never.npy')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--images .*wrong.npy has shape \[2, 1, 4, 4\]; the model takes items \[1, 28, 28\]/);
    expect(existsSync(p('never.npy'))).toBe(false);
  });
});

describe('interpolate', () => {
  it("seed → seed on the S-curve model: the end frames are the seeds' own DDIM samples, bit for bit", () => {
    const common = ['--model', SCURVE, '--ep', 'cpu', '--steps', '5', '--n', '50'];
    const r = cli(['interpolate', ...common, '--from', '1', '--to', '2', '--frames', '3', '--save-npy', p('path.npy'), '--out', p('path.png')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(p('path.png')).subarray(1, 4).toString()).toBe('PNG');
    const path = npy('path.npy');
    expect(path.shape).toEqual([150, 2]);
    for (const [seed, frame] of [
      [1, 0],
      [2, 2],
    ]) {
      expect(cli(['sample', ...common, '--method', 'ddim', '--seed', String(seed), '--save-npy', p(`seed${seed}.npy`)]).status).toBe(0);
      expect(Array.from(path.data.subarray(frame! * 100, (frame! + 1) * 100))).toEqual(Array.from(npy(`seed${seed}.npy`).data));
    }
    expect(path.data.subarray(100, 200).some((v, i) => v !== path.data[i])).toBe(true);
  });

  it('bad input: too few frames, an endpoint that is not one item', () => {
    const base = ['interpolate', '--model', FASHION, '--ep', 'cpu', '--steps', '2', '--out', p('never.png')];
    expect(cli([...base, '--from', '1', '--to', '2', '--frames', '1']).stderr).toMatch(/--frames must be an integer ≥ 2, got '1'/);
    if (dataset) expect(cli([...base, '--from', p('test2.npy'), '--to', '2']).stderr).toMatch(/--from .*test2.npy holds 2 items; one frame is 1/);
    expect(existsSync(p('never.png'))).toBe(false);
  });
});
