import { imageStripPicture, type StripRow } from './image-strip-picture.js';
import { interpolationStrip } from './interpolation-strip.js';
import { rasterToPng } from './raster-png.js';
import { encodeSvgPng } from './scatter.js';

export type { StripRow };

/** {@link imageStripPicture} as an RGB PNG: rows of images, a label above each column and left of each row. */
export async function encodeImageStrip(
  rows: readonly StripRow[],
  columnLabels: readonly string[],
  itemShape: readonly number[],
  opts: { scale?: number } = {},
): Promise<Buffer> {
  const { raster, overlaySvg } = imageStripPicture(rows, columnLabels, itemShape, opts);
  return rasterToPng(raster, overlaySvg);
}

/** An interpolation's strip ({@link interpolationStrip}) as a PNG. */
export async function encodeInterpolationStrip(samples: Float32Array, frames: number, itemShape: readonly number[]): Promise<Buffer> {
  const strip = interpolationStrip(samples, frames, itemShape);
  return 'svg' in strip ? encodeSvgPng(strip.svg) : rasterToPng(strip.image.raster, strip.image.overlaySvg);
}
