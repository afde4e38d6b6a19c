/**
 * Pixel buffers made from model tensors, with no Node or browser API: the PNG encoders build
 * their pictures from these and a page can draw them on a canvas.
 */

/** An 8-bit image, rows top to bottom, channels interleaved (1 = gray, 3 = RGB). */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/** Maps a model value in [−1, 1] to a byte: (x + 1) / 2 · 255, clamped to [0, 255] and rounded; NaN → 0. */
export function toByte(x: number): number {
  const v = Math.round(((x + 1) / 2) * 255);
  if (!(v > 0)) return 0; // also NaN and −0
  return Math.min(v, 255);
}

/** Reads the [N, C, H, W] shape of a batch of images, with errors that say what is wrong. */
export function imageBatchShape(
  samples: Float32Array,
  shape: readonly number[],
): { n: number; channels: 1 | 3; height: number; width: number } {
  if (shape.length !== 4) {
    throw new Error(`expected images of shape [N, C, H, W], got [${shape.join(', ')}]`);
  }
  const [n, c, h, w] = shape as [number, number, number, number];
  if (c !== 1 && c !== 3) throw new Error(`images need 1 (gray) or 3 (RGB) channels, got C = ${c} in [${shape.join(', ')}]`);
  if (n * c * h * w !== samples.length) {
    throw new Error(`shape [${shape.join(', ')}] holds ${n * c * h * w} values but the data has ${samples.length}`);
  }
  return { n, channels: c, height: h, width: w };
}

/**
 * One CHW item (starting at `offset` in `data`) as a Raster, each pixel repeated `scale` times
 * in both directions (nearest-neighbour upscaling keeps 28×28 samples crisp).
 */
export function itemToRaster(
  data: Float32Array,
  offset: number,
  channels: 1 | 3,
  height: number,
  width: number,
  scale = 1,
): Raster {
  const out = new Uint8Array(height * scale * width * scale * channels);
  const outWidth = width * scale;
  const plane = height * width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const v = toByte(data[offset + c * plane + y * width + x]!);
        for (let dy = 0; dy < scale; dy++) {
          const row = (y * scale + dy) * outWidth;
          for (let dx = 0; dx < scale; dx++) out[(row + x * scale + dx) * channels + c] = v;
        }
      }
    }
  }
  return { width: outWidth, height: height * scale, channels, data: out };
}

/** A canvas filled with one gray level. */
export function blankRaster(width: number, height: number, channels: 1 | 3, gray: number): Raster {
  return { width, height, channels, data: new Uint8Array(width * height * channels).fill(gray) };
}

/** Copies `src` into `dst` with its top-left corner at (x, y); gray sources are spread to RGB. */
export function blit(dst: Raster, src: Raster, x: number, y: number): void {
  for (let row = 0; row < src.height; row++) {
    for (let col = 0; col < src.width; col++) {
      const s = (row * src.width + col) * src.channels;
      const d = ((y + row) * dst.width + x + col) * dst.channels;
      for (let c = 0; c < dst.channels; c++) dst.data[d + c] = src.data[s + (src.channels === 1 ? 0 : c)]!;
    }
  }
}

/** The default upscale factor: the smallest integer that makes a cell at least 48 px wide. */
export function defaultScale(height: number, width: number): number {
  return Math.max(1, Math.ceil(48 / Math.max(height, width)));
}

export interface ImageGridOptions {
  /** Cells per row; default ⌈√N⌉. */
  columns?: number;
  /** Integer nearest-neighbour upscale per pixel; default makes a cell at least 48 px wide. */
  scale?: number;
  /** Gap between cells and around the grid, in output pixels; default 2. */
  padding?: number;
}

const PADDING_GRAY = 128;

export function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be an integer ≥ 1, got ${value}`);
  return value;
}

/** A batch of images NCHW in [−1, 1] as one grid Raster (row-major), mid-gray padding between cells. */
export function imageGridRaster(samples: Float32Array, shape: readonly number[], opts: ImageGridOptions = {}): Raster {
  const { n, channels, height, width } = imageBatchShape(samples, shape);
  if (n === 0) throw new Error('image grid: the batch is empty');
  const scale = positiveInt('scale', opts.scale ?? defaultScale(height, width));
  const columns = Math.min(n, positiveInt('columns', opts.columns ?? Math.ceil(Math.sqrt(n))));
  const padding = opts.padding ?? 2;
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`padding must be an integer ≥ 0, got ${padding}`);
  const rows = Math.ceil(n / columns);
  const cellW = width * scale;
  const cellH = height * scale;
  const grid = blankRaster(columns * cellW + (columns + 1) * padding, rows * cellH + (rows + 1) * padding, channels, PADDING_GRAY);
  const itemSize = channels * height * width;
  for (let i = 0; i < n; i++) {
    const cell = itemToRaster(samples, i * itemSize, channels, height, width, scale);
    const col = i % columns;
    const row = Math.floor(i / columns);
    blit(grid, cell, padding + col * (cellW + padding), padding + row * (cellH + padding));
  }
  return grid;
}
