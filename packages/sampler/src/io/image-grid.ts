import { blankRaster, blit, defaultScale, imageBatchShape, itemToRaster } from './pixels.js';
import { rasterToPng } from './raster-png.js';

export interface ImageGridOptions {
  /** Cells per row; default ⌈√N⌉. */
  columns?: number;
  /** Integer nearest-neighbour upscale per pixel; default makes a cell at least 48 px wide. */
  scale?: number;
  /** Gap between cells and around the grid, in output pixels; default 2. */
  padding?: number;
}

const PADDING_GRAY = 128;

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be an integer ≥ 1, got ${value}`);
  return value;
}

/**
 * A batch of images NCHW in [−1, 1] as one PNG grid (row-major, gray or RGB), mid-gray padding
 * between cells. Pixel values are (x + 1) / 2 · 255, clamped and rounded.
 */
export async function encodeImageGrid(
  samples: Float32Array,
  shape: readonly number[],
  opts: ImageGridOptions = {},
): Promise<Buffer> {
  const { n, channels, height, width } = imageBatchShape(samples, shape);
  if (n === 0) throw new Error('encodeImageGrid: the batch is empty');
  const scale = positiveInt('scale', opts.scale ?? defaultScale(height, width));
  const columns = Math.min(n, positiveInt('columns', opts.columns ?? Math.ceil(Math.sqrt(n))));
  const padding = opts.padding ?? 2;
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`padding must be an integer ≥ 0, got ${padding}`);
  const rows = Math.ceil(n / columns);
  const cellW = width * scale;
  const cellH = height * scale;
  const canvas = blankRaster(
    columns * cellW + (columns + 1) * padding,
    rows * cellH + (rows + 1) * padding,
    channels,
    PADDING_GRAY,
  );
  const itemSize = channels * height * width;
  for (let i = 0; i < n; i++) {
    const cell = itemToRaster(samples, i * itemSize, channels, height, width, scale);
    const col = i % columns;
    const row = Math.floor(i / columns);
    blit(canvas, cell, padding + col * (cellW + padding), padding + row * (cellH + padding));
  }
  return rasterToPng(canvas);
}

/** One PNG per item of an NCHW batch in [−1, 1], each upscaled by `scale` (default 1). */
export async function encodeImages(
  samples: Float32Array,
  shape: readonly number[],
  opts: { scale?: number } = {},
): Promise<Buffer[]> {
  const { n, channels, height, width } = imageBatchShape(samples, shape);
  const scale = positiveInt('scale', opts.scale ?? 1);
  const itemSize = channels * height * width;
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(await rasterToPng(itemToRaster(samples, i * itemSize, channels, height, width, scale)));
  return out;
}
