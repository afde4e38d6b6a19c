import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeImageGrid, encodeImages } from '../src/io/image-grid.js';
import { decodeImageRaster, decodeImageTensor } from '../src/io/image-read.js';
import { encodeImageStrip } from '../src/io/image-strip.js';
import { toByte } from '../src/io/pixels.js';
import { encodeScatterPng } from '../src/io/scatter.js';
import { scatterSvg } from '../src/io/scatter-svg.js';
import { encodeTrajectoryStrip, evenlySpaced } from '../src/io/trajectory-strip.js';

interface Decoded {
  width: number;
  height: number;
  channels: number;
  at(x: number, y: number): number[];
}

async function decodePng(png: Buffer): Promise<Decoded> {
  expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  // sharp expands gray to sRGB on raw output unless told to keep it gray.
  const gray = (await sharp(png).metadata()).channels === 1;
  const { data, info } = await (gray ? sharp(png).toColourspace('b-w') : sharp(png)).raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    channels: info.channels,
    at: (x, y) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels)],
  };
}

/** [N, 1, H, W] images: item 0 all −1, item 1 all +1, item 2 a left-to-right ramp from −1 to +1. */
function testBatch(h: number, w: number): Float32Array {
  const out = new Float32Array(3 * h * w);
  out.fill(-1, 0, h * w);
  out.fill(1, h * w, 2 * h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[2 * h * w + y * w + x] = -1 + (2 * x) / (w - 1);
  return out;
}

describe('pixel mapping', () => {
  it('maps [−1, 1] to bytes by (x + 1) / 2 · 255, clamped and rounded', () => {
    expect([-1, 1, 0, -3, 2.5, 0.5, Number.NaN, -0.999].map(toByte)).toEqual([0, 255, 128, 0, 255, 191, 0, 0]);
    expect(Object.is(toByte(-0.999), 0)).toBe(true);
  });
});

describe('encodeImageGrid', () => {
  it('lays out a gray grid with padding; −1 is black, +1 white, a ramp stays monotonic', async () => {
    const h = 4;
    const w = 8;
    const png = await encodeImageGrid(testBatch(h, w), [3, 1, h, w], { columns: 2, scale: 3, padding: 2 });
    const img = await decodePng(png);
    expect(img.channels).toBe(1);
    expect([img.width, img.height]).toEqual([2 * 24 + 3 * 2, 2 * 12 + 3 * 2]);
    expect(img.at(0, 0)).toEqual([128]); // padding
    expect(img.at(2, 2)).toEqual([0]); // item 0, top-left
    expect(img.at(2 + 23, 2 + 11)).toEqual([0]); // item 0, bottom-right
    expect(img.at(2 + 24, 5)).toEqual([128]); // gap between columns
    expect(img.at(2 + 24 + 2, 2)).toEqual([255]); // item 1
    expect(img.at(2 + 24 + 2 + 23, 13)).toEqual([255]);
    const ramp = Array.from({ length: 24 }, (_, x) => img.at(2 + x, 2 + 12 + 2 + 5)[0]!);
    expect(ramp[0]).toBe(0);
    expect(ramp[23]).toBe(255);
    for (let x = 1; x < 24; x++) expect(ramp[x]!).toBeGreaterThanOrEqual(ramp[x - 1]!);
    // Nearest-neighbour: each source pixel is a 3×3 block.
    expect(ramp[3]).toBe(ramp[5]);
    expect(ramp[5]).toBeLessThan(ramp[6]!);
    expect(img.at(2 + 24 + 2 + 5, 2 + 12 + 2 + 5)).toEqual([128]); // the unused 4th cell shows padding
  });

  it('writes RGB images with channels in the right places', async () => {
    const plane = 2 * 2;
    const data = new Float32Array(2 * 3 * plane).fill(-1);
    data.fill(1, 0, plane); // item 0: red
    data.fill(1, 3 * plane + 2 * plane, 3 * plane + 3 * plane); // item 1: blue
    const img = await decodePng(await encodeImageGrid(data, [2, 3, 2, 2], { scale: 1, padding: 1 }));
    expect(img.channels).toBe(3);
    expect([img.width, img.height]).toEqual([2 * 2 + 3, 2 + 2]);
    expect(img.at(1, 1)).toEqual([255, 0, 0]);
    expect(img.at(4, 2)).toEqual([0, 0, 255]);
  });

  it('defaults to a square-ish grid with 28×28 cells upscaled to at least 48 px', async () => {
    const img = await decodePng(await encodeImageGrid(new Float32Array(5 * 28 * 28), [5, 1, 28, 28]));
    expect([img.width, img.height]).toEqual([3 * 56 + 4 * 2, 2 * 56 + 3 * 2]);
  });

  it('rejects shapes that are not gray/RGB NCHW or do not match the data', async () => {
    await expect(encodeImageGrid(new Float32Array(8), [4, 2])).rejects.toThrow(/\[N, C, H, W\], got \[4, 2\]/);
    await expect(encodeImageGrid(new Float32Array(32), [2, 4, 2, 2])).rejects.toThrow(/C = 4/);
    await expect(encodeImageGrid(new Float32Array(7), [2, 1, 2, 2])).rejects.toThrow(/holds 8 values but the data has 7/);
    await expect(encodeImageGrid(new Float32Array(8), [2, 1, 2, 2], { scale: 0 })).rejects.toThrow(/scale/);
  });
});

describe('encodeImages', () => {
  it('returns one PNG per item with its own pixels', async () => {
    const pngs = await encodeImages(testBatch(2, 3), [3, 1, 2, 3], { scale: 2 });
    expect(pngs).toHaveLength(3);
    const [black, white, ramp] = await Promise.all(pngs.map(decodePng));
    expect([black!.width, black!.height]).toEqual([6, 4]);
    expect(black!.at(5, 3)).toEqual([0]);
    expect(white!.at(0, 0)).toEqual([255]);
    expect([ramp!.at(0, 0)[0], ramp!.at(2, 0)[0], ramp!.at(5, 0)[0]]).toEqual([0, 128, 255]);
  });
});

describe('encodeImageStrip and encodeTrajectoryStrip', () => {
  it('picks evenly spaced frames including the first and last', () => {
    expect(evenlySpaced(3, 10)).toEqual([0, 1, 2]);
    expect(evenlySpaced(21, 5)).toEqual([0, 5, 10, 15, 20]);
    expect(evenlySpaced(1000, 4)).toEqual([0, 333, 666, 999]);
  });

  it('draws row 1 x_t and row 2 x̂_0 of the first item under t labels', async () => {
    // 11 frames; frame k has x_t = −1 + 0.2k everywhere (item 0) and x̂_0 = the negation.
    const shape = [2, 1, 6, 6];
    const frames = Array.from({ length: 11 }, (_, k) => {
      const xt = new Float32Array(72).fill(-1 + 0.2 * k);
      xt.fill(0.9, 36); // item 1 must not be drawn
      return { t: 1000 - 100 * k, xt, x0: xt.map((v) => -v) };
    });
    const png = await encodeTrajectoryStrip(frames, shape, { columns: 6, scale: 8 });
    const img = await decodePng(png);
    expect(img.channels).toBe(3);
    // Layout from image-strip: left margin for the labels, 20 px header, 48 px cells, 4 px gaps.
    const cell = 48;
    expect(img.height).toBe(20 + 2 * (cell + 4));
    const left = img.width - 6 * (cell + 4);
    expect(left).toBeGreaterThan(10);
    for (const [col, k] of [0, 2, 4, 6, 8, 10].entries()) {
      const x = left + col * (cell + 4) + cell / 2;
      expect(img.at(x, 20 + cell / 2)).toEqual(Array(3).fill(toByte(-1 + 0.2 * k)));
      expect(img.at(x, 20 + cell + 4 + cell / 2)).toEqual(Array(3).fill(toByte(1 - 0.2 * k)));
      // Some dark label text sits above each column; the header is otherwise white.
      let darkest = 255;
      for (let y = 0; y < 20; y++) for (let dx = -20; dx <= 20; dx++) darkest = Math.min(darkest, img.at(x + dx, y)[0]!);
      expect(darkest).toBeLessThan(128);
    }
    expect(img.at(left + cell + 2, 10)).toEqual([255, 255, 255]); // header between labels
  });

  it('draws RGB items from a [C, H, W] item shape', async () => {
    const green = new Float32Array(3 * 4).fill(-1).fill(1, 4, 8);
    const png = await encodeTrajectoryStrip([{ t: 5, xt: green, x0: green.map((v) => -v) }], [3, 2, 2], { scale: 24 });
    const img = await decodePng(png);
    const left = img.width - (48 + 4);
    expect(img.at(left + 24, 20 + 24)).toEqual([0, 255, 0]);
    expect(img.at(left + 24, 20 + 48 + 4 + 24)).toEqual([255, 0, 255]);
  });

  it('names the mismatch when rows and labels disagree', async () => {
    const image = new Float32Array(4);
    await expect(encodeImageStrip([{ label: 'a', images: [image] }], ['t=1', 't=2'], [1, 2, 2])).rejects.toThrow(
      /row 'a' has 1 images for 2 column labels/,
    );
    await expect(encodeTrajectoryStrip([], [1, 1, 2, 2])).rejects.toThrow(/no frames/);
  });
});

describe('encodeScatterPng', () => {
  /** Centroid of the pixels for which `pick` holds. */
  function centroid(img: Decoded, pick: (p: number[]) => boolean, top: number): { x: number; y: number; count: number } {
    let sx = 0;
    let sy = 0;
    let count = 0;
    for (let y = top; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        if (pick(img.at(x, y))) {
          sx += x;
          sy += y;
          count++;
        }
      }
    }
    return { x: sx / count, y: sy / count, count };
  }

  it('draws samples and reference where they are, in their own colours, on white', async () => {
    const cluster = (cx: number, cy: number, n: number) => Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 ? cy : cx) + Math.sin(i) * 0.02);
    const png = await encodeScatterPng(cluster(1, 1, 40), { reference: cluster(-1, -1, 40), size: 300, title: 'test' });
    const img = await decodePng(png);
    expect([img.width, img.height, img.channels]).toEqual([300, 300, 3]);
    // Below the title and legend rows (the top 50 px), i.e. inside the plot.
    const red = centroid(img, ([r, g, b]) => r! > 180 && g! < 110 && b! < 110, 50);
    const blue = centroid(img, ([r, g, b]) => b! > 140 && r! < 110 && g! < 170, 50);
    expect(red.count).toBeGreaterThan(20);
    expect(blue.count).toBeGreaterThan(20);
    // Samples at (+1, +1): right and up (small y in image rows); reference at (−1, −1): left and down.
    expect(red.x).toBeGreaterThan(200);
    expect(red.y).toBeLessThan(120);
    expect(blue.x).toBeLessThan(150);
    expect(blue.y).toBeGreaterThan(200);
    expect(img.at(160, 150)).toEqual([255, 255, 255]);
  });

  it('rejects odd-length input and counts non-finite points in the legend', () => {
    expect(() => scatterSvg(new Float32Array(3))).toThrow(/odd count/);
    const svg = scatterSvg(Float32Array.from([0, 0, Number.NaN, 1, 1, 1]));
    expect(svg).toContain('samples (2, 1 non-finite left out)');
    expect(svg.match(/<circle cx/g)).toHaveLength(2 + 1); // two points and the legend dot
  });
});

describe('decodeImageTensor', () => {
  it('reads a gray PNG into [1, 1, size, size] in [−1, 1]', async () => {
    const raw = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const png = await sharp(raw, { raw: { width: 4, height: 4, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(png).metadata()).channels).toBe(1);
    const t = await decodeImageTensor(png, { size: 4 });
    expect(t.shape).toEqual([1, 1, 4, 4]);
    expect(t.data[0]).toBe(-1);
    expect(t.data[15]).toBe(1);
    expect(t.data[5]).toBeCloseTo((5 * 17) / 127.5 - 1, 6);
  });

  it('reads an RGB image as 3 planes and resizes it', async () => {
    const raw = new Uint8Array(8 * 8 * 3);
    for (let p = 0; p < 64; p++) raw.set([255, 0, 128], p * 3);
    const png = await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer();
    const t = await decodeImageTensor(png, { size: 4 });
    expect(t.shape).toEqual([1, 3, 4, 4]);
    expect([t.data[0], t.data[16]]).toEqual([1, -1]);
    expect(t.data[32]).toBeCloseTo(128 / 127.5 - 1, 6);
  });

  it('treats an RGB file with only gray pixels as one channel', async () => {
    const raw = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => Math.floor(i / 3) * 16);
    const png = await sharp(raw, { raw: { width: 4, height: 4, channels: 3 } }).png().toBuffer();
    expect((await sharp(png).metadata()).channels).toBe(3);
    const t = await decodeImageTensor(png, { size: 4 });
    expect(t.shape).toEqual([1, 1, 4, 4]);
    expect(t.data[1]).toBeCloseTo(16 / 127.5 - 1, 6);
  });

  it('says which input is not an image', async () => {
    await expect(decodeImageTensor(new TextEncoder().encode('not an image'), { size: 8, name: 'notes.txt' })).rejects.toThrow(
      /notes\.txt is not a readable image/,
    );
  });
});

describe('decodeImageRaster', () => {
  it('reads our grids back at their own size, gray as 1 channel and RGB as 3', async () => {
    const gray = await decodeImageRaster(await encodeImageGrid(testBatch(2, 3), [3, 1, 2, 3], { columns: 3, scale: 1, padding: 1 }));
    expect([gray.width, gray.height, gray.channels]).toEqual([3 * 3 + 4, 2 + 2, 1]);
    expect([gray.data[0], gray.data[1 * gray.width + 1], gray.data[1 * gray.width + 5]]).toEqual([128, 0, 255]);
    const rgb = await decodeImageRaster(await encodeImageGrid(new Float32Array(12).fill(1), [1, 3, 2, 2], { padding: 0, scale: 1 }));
    expect([rgb.width, rgb.height, rgb.channels]).toEqual([2, 2, 3]);
    expect([...rgb.data]).toEqual(Array(12).fill(255));
    await expect(decodeImageRaster(new Uint8Array(10), { name: 'x.png' })).rejects.toThrow(/x\.png is not a readable image/);
  });
});

describe('one image decoder: transparency on white', () => {
  it('decodeImageTensor and decodeImageRaster both flatten a transparent pixel onto white', async () => {
    // 2×1 RGBA: an opaque black pixel, then a fully transparent (black) one.
    const png = await sharp(Buffer.from([0, 0, 0, 255, 0, 0, 0, 0]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const raster = await decodeImageRaster(new Uint8Array(png));
    expect([raster.channels, ...raster.data]).toEqual([3, 0, 0, 0, 255, 255, 255]); // an RGBA file stays RGB
    const tensor = await decodeImageTensor(new Uint8Array(png), { size: 1 });
    expect(tensor.shape).toEqual([1, 1, 1, 1]);
    const gray = await sharp(Buffer.from([0, 0, 0, 0]), { raw: { width: 1, height: 1, channels: 4 } }).png().toBuffer();
    expect(Array.from((await decodeImageTensor(new Uint8Array(gray), { size: 2 })).data)).toEqual([1, 1, 1, 1]);
  });
});
