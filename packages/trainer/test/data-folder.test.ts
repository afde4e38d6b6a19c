import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, loadDataset } from '../src/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'ddpm-folder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A solid-colour 8×8 image in the given format. */
function solid(format: 'png' | 'jpeg' | 'webp', rgb: [number, number, number]): Promise<Buffer> {
  const img = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return format === 'png' ? img.png().toBuffer() : format === 'jpeg' ? img.jpeg({ quality: 100 }).toBuffer() : img.webp({ lossless: true }).toBuffer();
}

const labelled = join(tmp, 'labelled');
const flat = join(tmp, 'flat');
const withBad = join(tmp, 'with-bad');

beforeAll(async () => {
  mkdirSync(join(labelled, 'red'), { recursive: true });
  mkdirSync(join(labelled, 'blue'), { recursive: true });
  writeFileSync(join(labelled, 'red', 'a.png'), await solid('png', [255, 0, 0]));
  writeFileSync(join(labelled, 'red', 'b.jpg'), await solid('jpeg', [255, 0, 0]));
  writeFileSync(join(labelled, 'blue', 'c.webp'), await solid('webp', [0, 0, 255]));
  writeFileSync(join(labelled, 'blue', 'notes.txt'), 'not an image');
  mkdirSync(flat);
  writeFileSync(join(flat, 'white.png'), await solid('png', [255, 255, 255]));
  writeFileSync(join(flat, 'black.webp'), await solid('webp', [0, 0, 0]));
  mkdirSync(withBad);
  writeFileSync(join(withBad, 'ok.png'), await solid('png', [0, 255, 0]));
  const png = await solid('png', [0, 255, 0]);
  writeFileSync(join(withBad, 'broken.png'), png.subarray(0, png.length - 30));
  writeFileSync(join(withBad, 'garbage.jpg'), Buffer.from('definitely not a jpeg'));
  const jpeg = await solid('jpeg', [0, 255, 0]);
  writeFileSync(join(withBad, 'cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.7)));
  mkdirSync(join(tmp, 'empty'));
});

describe('folder datasets', () => {
  it('takes labels from sorted sub-folder names and decodes PNG, JPEG and WebP to RGB in [−1, 1]', async () => {
    const ds = await loadDataset(`folder:${labelled}`, { imageSize: 4 });
    expect(ds.count).toBe(3);
    expect(ds.itemShape).toEqual([4, 4, 3]);
    expect(ds.classNames).toEqual(['blue', 'red']);
    expect(ds.numClasses).toBe(2);
    const x0 = new Float32Array(3 * 48);
    const labels = new Int32Array(3);
    ds.fillBatch([0, 1, 2], x0, labels);
    expect(Array.from(labels)).toEqual([0, 1, 1]);
    // blue/c.webp is pure blue; red/a.png pure red; red/b.jpg nearly red.
    expect(Array.from(x0.subarray(0, 3))).toEqual([-1, -1, 1]);
    expect(Array.from(x0.subarray(48, 51))).toEqual([1, -1, -1]);
    expect(x0[96]).toBeGreaterThan(0.95);
    expect(x0[97]).toBeLessThan(-0.9);
  });

  it('reads a flat folder as unlabelled grayscale when asked', async () => {
    const ds = await loadDataset(`folder:${flat}`, { imageSize: 2, channels: 1 });
    expect(ds.itemShape).toEqual([2, 2, 1]);
    expect(ds.numClasses).toBe(0);
    const x0 = new Float32Array(8);
    ds.fillBatch([0, 1], x0, null);
    // sorted: black.webp, white.png
    expect(Array.from(x0)).toEqual([-1, -1, -1, -1, 1, 1, 1, 1]);
  });

  it('names the corrupt file, or skips bad files with one warning giving the count', async () => {
    const err = await loadDataset(`folder:${withBad}`, { imageSize: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/with-bad\/(broken\.png|cut\.jpg|garbage\.jpg): cannot decode image/);
    const warnings: string[] = [];
    const ds = await loadDataset(`folder:${withBad}`, { imageSize: 4, skipBad: true, warn: (l) => warnings.push(l) });
    expect(ds.count).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/skipped 3 unreadable images in .*with-bad \(first: .*broken\.png\)/);
  });

  it('rejects an empty or missing folder by name', async () => {
    await expect(loadDataset(`folder:${join(tmp, 'empty')}`)).rejects.toThrow(/empty: no \.png, \.jpg, \.jpeg or \.webp images/);
    await expect(loadDataset(`folder:${join(tmp, 'missing')}`)).rejects.toThrow(/cannot read image folder .*missing/);
  });
});
