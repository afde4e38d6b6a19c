// `onnx-ddpm sample` output handling as a user meets it: the built CLI in a child process.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, deadPid, errorLines, requireBuiltCli, tinyImageModel } from './cli-helpers.js';

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

describe('leftovers of killed runs', () => {
  it("the next run writing to a place removes a dead writer's temp files there, and nothing else", () => {
    const work = path('leftovers');
    mkdirSync(join(work, 'imgs'), { recursive: true });
    const dead = deadPid();
    const stale = [`grid.png.tmp-${dead}-0badc0de`, `x.npy.tmp-${dead}-12345678`, `imgs/000.png.tmp-${dead}-abcdef01`];
    // A live writer's temp file, another output's leftover, and a user's file with a similar name stay.
    const kept = [`grid.png.tmp-${process.pid}-11111111`, `other.png.tmp-${dead}-22222222`, 'grid.png.tmp-notes.txt'];
    for (const f of [...stale, ...kept]) writeFileSync(join(work, f), 'partial');
    const r = cli(sampleArgs('--out', join(work, 'grid.png'), '--save-npy', join(work, 'x.npy'), '--images', join(work, 'imgs')));
    expect(r.status).toBe(0);
    for (const f of stale) expect(existsSync(join(work, f)), f).toBe(false);
    for (const f of kept) expect(readFileSync(join(work, f), 'utf8')).toBe('partial');
    expect(readdirSync(join(work, 'imgs'))).toEqual(['000.png', '001.png']);
  });

  it('--images into a folder holding numbered PNGs this run would not replace says so and changes nothing', () => {
    const imgs = path('older-images');
    expect(cli(['sample', '--model', path('img.onnx'), '--n', '4', '--steps', '2', '--ep', 'cpu', '--images', imgs]).status).toBe(0);
    const before = readFileSync(join(imgs, '003.png'));
    const r = cli(sampleArgs('--images', imgs));
    expect(r.status).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      `onnx-ddpm sample: --images ${imgs} already holds 2 numbered PNGs that this run of 2 would not replace (002.png … 003.png), from an earlier run: remove them or give another folder`,
    ]);
    expect(r.stderr).not.toMatch(/sampling/);
    expect(readdirSync(imgs)).toEqual(['000.png', '001.png', '002.png', '003.png']);
    expect(readFileSync(join(imgs, '003.png')).equals(before)).toBe(true);
    // The same count again replaces its own files.
    expect(cli(['sample', '--model', path('img.onnx'), '--n', '4', '--steps', '2', '--ep', 'cpu', '--images', imgs, '--seed', '5']).status).toBe(0);
    expect(readFileSync(join(imgs, '003.png')).equals(before)).toBe(false);
  });
});
