import sharp from 'sharp';
import { bytesToItem, checkImageItemShape, checkMaskSize, describeImage, ImageShapeError, imageFit, isGrayPixels, maskFromBytes } from './image-fit.js';
import type { Raster } from './pixels.js';

/** A single image as a model-ready tensor: float32 [1, C, H, W] in [−1, 1]. */
export interface ImageTensor {
  data: Float32Array;
  shape: [1, number, number, number];
}

export interface LoadedImage {
  /** float32 [C, H, W] in [−1, 1] (byte b ↦ b / 127.5 − 1, as decodeImageTensor). */
  data: Float32Array;
  /** How the file was fitted to the model ("resized 64×64 RGB to 28×28 gray"), or null when it already fit. */
  fitted: string | null;
}

interface Decoded {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
  /** The file itself has one band (plus alpha). */
  grayFile: boolean;
}

/**
 * The one decoding pipeline of this package: whatever sharp reads (PNG, JPEG, WebP, GIF, TIFF, AVIF,
 * SVG), transparency flattened onto `background` — white by default, deliberately: every image this
 * package draws (grids, strips, scatter plots) is on white, so a transparent region reads as the
 * background it is shown on; masks use black (= generate) — optionally centre-cropped to the aspect and
 * resized to width×height, as 8-bit sRGB, or luminance when `gray`. Throws ImageShapeError naming `name`.
 */
async function decode(bytes: Uint8Array, name: string, opts: { width?: number; height?: number; gray?: boolean; background?: string } = {}): Promise<Decoded> {
  const want = opts.gray ? 1 : 3;
  try {
    const grayFile = (await sharp(bytes).metadata()).channels! <= 2;
    let image = sharp(bytes).flatten({ background: opts.background ?? '#ffffff' });
    if (opts.width !== undefined) image = image.resize(opts.width, opts.height, { fit: 'cover', position: 'centre' });
    const { data, info } = await image.toColourspace(opts.gray ? 'b-w' : 'srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== want) throw new Error(`decoded ${info.channels} channels, expected ${want}`);
    return { data, width: info.width, height: info.height, channels: info.channels, grayFile };
  } catch (err) {
    throw new ImageShapeError(`${name} is not a readable image (${(err as Error).message})`);
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
  const { data: pixels } = await decode(bytes, opts.name ?? 'the image', { width: size, height: size });
  const channels = isGrayPixels(pixels, 3) ? 1 : 3;
  return { data: bytesToItem(pixels, 3, channels, size * size), shape: [1, channels, size, size] };
}

/** Decodes an image file's bytes at their own size into a Raster: gray files stay 1-channel, others become RGB (transparency on white). */
export async function decodeImageRaster(bytes: Uint8Array, opts: { name?: string } = {}): Promise<Raster> {
  const { data, width, height, grayFile } = await decode(bytes, opts.name ?? 'the image');
  if (!grayFile) return { width, height, channels: 3, data: new Uint8Array(data) };
  const plane = new Uint8Array(width * height);
  for (let p = 0; p < plane.length; p++) plane[p] = data[3 * p]!;
  return { width, height, channels: 1, data: plane };
}

/**
 * Decodes an image file for a model taking [C, H, W] items (C = 1 or 3) by the rules of image-fit.ts:
 * an image whose pixels are all gray (R = G = B) counts as 1-channel; one of another size or channel
 * count is refused with an ImageShapeError naming both, unless `resize`: then it is scaled (centre crop
 * to the aspect, Lanczos) and converted to gray or RGB, and `fitted` says so. Transparency is flattened
 * onto white. `name` is used in messages.
 */
export async function loadImageForModel(bytes: Uint8Array, itemShape: readonly number[], opts: { name: string; resize?: boolean }): Promise<LoadedImage> {
  const [channels, height, width] = checkImageItemShape(itemShape);
  const file = await decode(bytes, opts.name);
  const fitted = imageFit(itemShape, { width: file.width, height: file.height, gray: isGrayPixels(file.data, 3) }, opts);
  const resized = file.width !== width || file.height !== height;
  const image = await decode(bytes, opts.name, { ...(resized ? { width, height } : {}), gray: channels === 1 });
  if (image.width !== width || image.height !== height) {
    throw new ImageShapeError(`${opts.name}: decoded ${describeImage(image.width, image.height, image.channels)}, expected ${describeImage(width, height, channels)}`);
  }
  return { data: bytesToItem(image.data, channels, channels, width * height), fitted };
}

/**
 * A mask image (white = 1 = keep, black = 0 = generate; gray levels blend; transparent = generate) at
 * the model's [H, W]: float32 [H × W] in [0, 1]. Refused when its size differs (masks are never resized).
 */
export async function loadMaskImage(bytes: Uint8Array, height: number, width: number, name: string): Promise<Float32Array> {
  const mask = await decode(bytes, name, { gray: true, background: '#000000' });
  checkMaskSize(name, mask, height, width);
  return maskFromBytes(mask.data, mask.channels, width * height);
}
