import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFilesAtomic } from '../src/files/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-ddpm-output-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates missing parent directories and writes the bytes', async () => {
    const path = join(dir, 'a', 'b', 'out.bin');
    const bytes = new Uint8Array([1, 2, 3, 250]);
    await writeFileAtomic(path, bytes);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['out.bin']);
  });

  it('replaces an existing file whole and leaves no temp file', async () => {
    const path = join(dir, 'out.txt');
    await writeFile(path, 'old content that is longer than the new one');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['out.txt']);
  });

  it('on a failed rename removes its temp file and leaves the target untouched', async () => {
    // A non-empty directory at the target path makes the final rename fail after the
    // temp file has been written in full.
    const path = join(dir, 'target');
    await mkdir(path);
    await writeFile(join(path, 'keep'), 'x');
    await expect(writeFileAtomic(path, new Uint8Array(1024))).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['target']);
    expect(await readdir(path)).toEqual(['keep']);
  });

  it('fails without writing anything when the parent path is a file', async () => {
    const parent = join(dir, 'file');
    await writeFile(parent, 'x');
    await expect(writeFileAtomic(join(parent, 'out.png'), new Uint8Array(4))).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['file']);
    expect(await readFile(parent, 'utf8')).toBe('x');
  });
});

describe('writeFilesAtomic', () => {
  it('replaces no target when a later one cannot be written (a folder in its place, or an unwritable parent)', async () => {
    await writeFile(join(dir, 'grid.png'), 'the user file');
    await mkdir(join(dir, 'results'));
    await expect(
      writeFilesAtomic([
        { path: join(dir, 'grid.png'), bytes: 'new grid' },
        { path: join(dir, 'results'), bytes: 'npy' },
      ]),
    ).rejects.toMatchObject({ code: 'EISDIR' });
    await writeFile(join(dir, 'a-file'), 'x');
    await expect(
      writeFilesAtomic([
        { path: join(dir, 'grid.png'), bytes: 'new grid' },
        { path: join(dir, 'a-file', 'imgs', '000.png'), bytes: 'png' },
      ]),
    ).rejects.toThrow();
    expect(await readFile(join(dir, 'grid.png'), 'utf8')).toBe('the user file');
    expect((await readdir(dir)).sort()).toEqual(['a-file', 'grid.png', 'results']);
  });

  it('writes every file', async () => {
    await writeFilesAtomic([
      { path: join(dir, 'a.txt'), bytes: 'a' },
      { path: join(dir, 'sub', 'b.txt'), bytes: new Uint8Array([98]) },
    ]);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('a');
    expect(await readFile(join(dir, 'sub', 'b.txt'), 'utf8')).toBe('b');
  });
});
