// The README's main job end to end, through the built CLI: train toy:s_curve with TF.js, export
// (parity-checked), sample on ONNX Runtime, check that the samples lie on the S-curve, and that the
// demo's comparison with the committed models/s-curve.onnx is printed and in its favour or close.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '@onnx-ddpm/sampler';
import { makeToyDataset } from '@onnx-ddpm/trainer/node';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = createRequire(import.meta.url).resolve('onnx-ddpm/main');
const work = mkdtempSync(join(tmpdir(), 'onnx-ddpm-main-job-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Distance from each 2-D point to its nearest neighbour in `reference`. */
function nearestDistances(points: Float32Array, reference: Float32Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i += 2) {
    let best = Number.POSITIVE_INFINITY;
    for (let j = 0; j < reference.length; j += 2) {
      best = Math.min(best, (points[i]! - reference[j]!) ** 2 + (points[i + 1]! - reference[j + 1]!) ** 2);
    }
    out.push(Math.sqrt(best));
  }
  return out.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;

describe('main job: pnpm demo', () => {
  it('trains, exports and samples an S-curve whose samples lie on the data', () => {
    const runDir = join(work, 'run');
    const stdout = execFileSync(process.execPath, [join(root, 'scripts/demo.mjs'), '--out', runDir], { stdio: 'pipe', encoding: 'utf8' });
    expect(existsSync(join(runDir, 'model.onnx'))).toBe(true);
    const png = readFileSync(join(runDir, 'samples.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    const npy = join(work, 'points.npy');
    execFileSync(process.execPath, [cli, 'sample', '--model', join(runDir, 'model.onnx'), '--n', '500', '--seed', '3', '--save-npy', npy], {
      stdio: 'pipe',
    });
    const points = decodeNpy(readFileSync(npy));
    expect(points.shape).toEqual([500, 2]);

    const data = new Float32Array(4000 * 2);
    const reference = makeToyDataset('toy:s_curve', 's_curve', 123, 4000);
    reference.fillBatch(Int32Array.from({ length: 4000 }, (_, i) => i), data, null);
    const distances = nearestDistances(points.data as Float32Array, data);
    // The data's own noise is 0.05 before scaling; pure N(0, I) samples have a median near 0.2.
    expect(quantile(distances, 0.5)).toBeLessThan(0.08);
    expect(quantile(distances, 0.9)).toBeLessThan(0.25);
    // Covers both halves of the S, not one mode: the sample mean of y is near the data's 0.
    let meanY = 0;
    for (let i = 1; i < points.data.length; i += 2) meanY += points.data[i]! / 500;
    expect(Math.abs(meanY)).toBeLessThan(0.2);

    // The comparison with the committed model: sliced W2 of both on the same 10 000 fresh points.
    const figure = (label: string) => Number(new RegExp(`^  ${label}\\s+(\\d+\\.\\d+)`, 'm').exec(stdout)?.[1]);
    const fresh = figure('this run');
    const committed = figure('models/s-curve\\.onnx');
    const floor = figure('data vs data');
    expect(stdout).toContain('S-curve, this run vs the committed model: sliced W2 to 10000 fresh points');
    expect(stdout).toMatch(/^difference, this run − committed: [+-]\d\.\d{4} \([+-]\d+\.\d%/m);
    for (const v of [fresh, committed, floor]) expect(v).toBeGreaterThan(0);
    // Well above the data's own floor would mean a broken model; the same recipe lands near the committed one.
    expect(floor).toBeLessThan(fresh);
    expect(fresh).toBeLessThan(0.06);
    expect(fresh).toBeLessThan(1.5 * committed);
  });
});
