import sharp from 'sharp';
import type { Raster } from './pixels.js';

/** A single image as a model-ready tensor: float32 [1, C, H, W] in [−1, 1]. */
export interface ImageTensor {
  data: Float32Array;
  shape: [1, number, number, number];
}

/**
 * Decodes an image file's bytes (PNG, JPEG, WebP, GIF, TIFF, AVIF, SVG — whatever sharp reads)
 * into [1, C, size, size] in [−1, 1] (byte b ↦ b / 127.5 − 1). Images whose pixels are all
 * gray (R = G = B, whatever the file's colour type) give C = 1, others C = 3. Transparency is
 * flattened onto white; non-square images are centre-cropped to a square before resizing.
 * `name` is used in error messages.
 */
export async function decodeImageTensor(bytes: Uint8Array, opts: { size: number; name?: string }): Promise<ImageTensor> {
  const name = opts.name ?? 'the image';
  const { size } = opts;
  if (!Number.isInteger(size) || size < 1) throw new Error(`image size must be an integer ≥ 1, got ${size}`);
  let pixels: Buffer;
  try {
    const raw = await sharp(bytes)
      .flatten({ background: '#ffffff' })
      .resize(size, size, { fit: 'cover', position: 'centre' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (raw.info.channels !== 3) throw new Error(`decoded ${raw.info.channels} channels, expected 3`);
    pixels = raw.data;
  } catch (err) {
    throw new Error(`${name} is not a readable image (${(err as Error).message})`);
  }
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

/** Decodes an image file's bytes at their own size into a Raster: gray files stay 1-channel, others become RGB. */
export async function decodeImageRaster(bytes: Uint8Array, opts: { name?: string } = {}): Promise<Raster> {
  try {
    const gray = (await sharp(bytes).metadata()).channels! <= 2;
    const image = sharp(bytes).flatten({ background: '#ffffff' }).toColourspace(gray ? 'b-w' : 'srgb');
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels !== 3) throw new Error(`decoded ${info.channels} channels`);
    return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data) };
  } catch (err) {
    throw new Error(`${opts.name ?? 'the image'} is not a readable image (${(err as Error).message})`);
  }
}
