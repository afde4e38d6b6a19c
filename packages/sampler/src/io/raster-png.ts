import sharp from 'sharp';
import type { Raster } from './pixels.js';

/**
 * Encodes a Raster as PNG: a gray raster gives a 1-channel PNG, an RGB one a 3-channel PNG.
 * `overlaySvg` (same size as the raster, transparent background) is drawn on top, for labels
 * and axes; the result is then RGB without alpha.
 */
export async function rasterToPng(raster: Raster, overlaySvg?: string): Promise<Buffer> {
  const image = sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: raster.channels } });
  if (overlaySvg !== undefined) {
    image.composite([{ input: Buffer.from(overlaySvg), top: 0, left: 0 }]).removeAlpha();
  } else if (raster.channels === 1) {
    image.toColourspace('b-w');
  }
  return image.png({ compressionLevel: 9 }).toBuffer();
}
