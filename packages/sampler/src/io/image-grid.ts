import { type ImageGridOptions, imageBatchShape, imageGridRaster, itemToRaster, positiveInt } from './pixels.js';
import { rasterToPng } from './raster-png.js';

export type { ImageGridOptions };

/**
 * A batch of images NCHW in [−1, 1] as one PNG grid (row-major, gray or RGB), mid-gray padding
 * between cells. Pixel values are (x + 1) / 2 · 255, clamped and rounded.
 */
export async function encodeImageGrid(
  samples: Float32Array,
  shape: readonly number[],
  opts: ImageGridOptions = {},
): Promise<Buffer> {
  return rasterToPng(imageGridRaster(samples, shape, opts));
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
