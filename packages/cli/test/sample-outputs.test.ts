// `onnx-ddpm sample` output handling as a user meets it: the built CLI in a child process.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, errorLines, requireBuiltCli, tinyImageModel } from './cli-helpers.js';

let dir: string;
const path = (name: string) => join(dir, name);
const tempFiles = (folder: string) => readdirSync(folder).filter((f) => f.includes('.tmp-'));
const sampleArgs = (...outputs: string[]) => ['sample', '--model', path('img.onnx'), '--n', '2', '--steps', '2', '--ep', 'cpu', ...outputs];

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-outputs-'));
  writeFileSync(path('img.onnx'), tinyImageModel());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('never deletes a user file', () => {
  it('a --save-npy that names a folder leaves the grid.png of an earlier run as it was', () => {
    const work = path('folder-npy');
    mkdirSync(join(work, 'results'), { recursive: true });
    expect(cli(sampleArgs('--out', join(work, 'grid.png'), '--seed', '1')).status).toBe(0);
    const before = readFileSync(join(work, 'grid.png'));
    const r = cli(sampleArgs('--out', join(work, 'grid.png'), '--save-npy', join(work, 'results'), '--seed', '2'));
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^onnx-ddpm sample: .*results/)]);
    expect(readFileSync(join(work, 'grid.png')).equals(before)).toBe(true);
    expect(readdirSync(join(work, 'results'))).toEqual([]);
    expect(tempFiles(work)).toEqual([]);
  });

  it('an --images path that cannot be written leaves the earlier grid.png as it was', () => {
    const work = path('bad-images');
    mkdirSync(work);
    writeFileSync(join(work, 'a-file'), 'in the way');
    expect(cli(sampleArgs('--out', join(work, 'grid.png'), '--seed', '1')).status).toBe(0);
    const before = readFileSync(join(work, 'grid.png'));
    const r = cli(sampleArgs('--out', join(work, 'grid.png'), '--images', join(work, 'a-file', 'imgs'), '--seed', '2'));
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(readFileSync(join(work, 'grid.png')).equals(before)).toBe(true);
    expect(readFileSync(join(work, 'a-file'), 'utf8')).toBe('in the way');
    expect(tempFiles(work)).toEqual([]);
  });
});
