import sharp from 'sharp';
import type { Raster } from './pixels.js';

/** A single image as a model-ready tensor: float32 [1, C, H, W] in [−1, 1]. */
export interface ImageTensor {
  data: Float32Array;
  shape: [1, number, number, number];
}

/**
 * The one decoding pipeline of this package: whatever sharp reads (PNG, JPEG, WebP, GIF, TIFF,
 * AVIF, SVG), transparency flattened onto white — deliberately: every image this package draws
 * (grids, strips, scatter plots) is on white, so a transparent region reads as the background it
 * is shown on — optionally centre-cropped and resized to size×size, as 8-bit sRGB. `gray`: the
 * file itself has one band (plus alpha).
 */
async function decodeRgb(bytes: Uint8Array, name: string, size?: number): Promise<{ data: Buffer; width: number; height: number; gray: boolean }> {
  try {
    const gray = (await sharp(bytes).metadata()).channels! <= 2;
    let image = sharp(bytes).flatten({ background: '#ffffff' });
    if (size !== undefined) image = image.resize(size, size, { fit: 'cover', position: 'centre' });
    const { data, info } = await image.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels, expected 3`);
    return { data, width: info.width, height: info.height, gray };
  } catch (err) {
    throw new Error(`${name} is not a readable image (${(err as Error).message})`);
  }
}

/**
 * Decodes an image file's bytes into [1, C, size, size] in [−1, 1] (byte b ↦ b / 127.5 − 1).
 * Images whose pixels are all gray (R = G = B, whatever the file's colour type) give C = 1, others
 * C = 3. Transparency is flattened onto white; non-square images are centre-cropped to a square
 * before resizing. `name` is used in error messages.
 */
export async function decodeImageTensor(bytes: Uint8Array, opts: { size: number; name?: string }): Promise<ImageTensor> {
  const { size } = opts;
  if (!Number.isInteger(size) || size < 1) throw new Error(`image size must be an integer ≥ 1, got ${size}`);
  const { data: pixels } = await decodeRgb(bytes, opts.name ?? 'the image', size);
  const plane = size * size;
  let gray = true;
  for (let p = 0; p < plane && gray; p++) gray = pixels[3 * p] === pixels[3 * p + 1] && pixels[3 * p] === pixels[3 * p + 2];
  const channels = gray ? 1 : 3;
  const data = new Float32Array(channels * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) data[c * plane + p] = pixels[p * 3 + c]! / 127.5 - 1;
  }
  return { data, shape: [1, channels, size, size] };
}

/** Decodes an image file's bytes at their own size into a Raster: gray files stay 1-channel, others become RGB (transparency on white). */
export async function decodeImageRaster(bytes: Uint8Array, opts: { name?: string } = {}): Promise<Raster> {
  const { data, width, height, gray } = await decodeRgb(bytes, opts.name ?? 'the image');
  if (!gray) return { width, height, channels: 3, data: new Uint8Array(data) };
  const plane = new Uint8Array(width * height);
  for (let p = 0; p < plane.length; p++) plane[p] = data[3 * p]!;
  return { width, height, channels: 1, data: plane };
}
