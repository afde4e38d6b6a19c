import sharp from 'sharp';
import { bytesToItem, checkImageItemShape, checkMaskSize, describeImage, ImageShapeError, imageFit, isGrayPixels, maskFromBytes } from './image-fit.js';

export interface LoadedImage {
  /** float32 [C, H, W] in [−1, 1] (byte b ↦ b / 127.5 − 1, as decodeImageTensor). */
  data: Float32Array;
  /** How the file was fitted to the model ("resized 64×64 RGB to 28×28 gray"), or null when it already fit. */
  fitted: string | null;
}

/**
 * Decodes an image file for a model taking [C, H, W] items (C = 1 or 3) by the rules of
 * image-fit.ts: an image whose pixels are all gray (R = G = B) counts as 1-channel; one of another
 * size or channel count is refused with an ImageShapeError naming both, unless `resize`: then it is
 * scaled (centre crop to the aspect, Lanczos) and converted to gray or RGB, and `fitted` says so.
 * Transparency is flattened onto white. `name` is used in messages.
 */
export async function loadImageForModel(
  bytes: Uint8Array,
  itemShape: readonly number[],
  opts: { name: string; resize?: boolean },
): Promise<LoadedImage> {
  const [channels, height, width] = checkImageItemShape(itemShape);
  let rgb: { data: Buffer; info: sharp.OutputInfo };
  try {
    rgb = await sharp(bytes).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ImageShapeError(`${opts.name} is not a readable image (${(err as Error).message})`);
  }
  const meta = rgb.info;
  const fitted = imageFit(itemShape, { width: meta.width, height: meta.height, gray: isGrayPixels(rgb.data, meta.channels) }, opts);
  let image = sharp(bytes).flatten({ background: '#ffffff' });
  if (meta.width !== width || meta.height !== height) image = image.resize(width, height, { fit: 'cover', position: 'centre' });
  const { data, info } = await image
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== channels || info.width !== width || info.height !== height) {
    throw new ImageShapeError(`${opts.name}: decoded ${describeImage(info.width, info.height, info.channels)}, expected ${describeImage(width, height, channels)}`);
  }
  return { data: bytesToItem(data, channels, channels, width * height), fitted };
}

/**
 * A mask image (white = 1 = keep, black = 0 = generate; gray levels blend) at the model's
 * [H, W]: float32 [H × W] in [0, 1]. Refused when its size differs (masks are never resized).
 */
export async function loadMaskImage(bytes: Uint8Array, height: number, width: number, name: string): Promise<Float32Array> {
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await sharp(bytes).flatten({ background: '#000000' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new ImageShapeError(`${name} is not a readable image (${(err as Error).message})`);
  }
  checkMaskSize(name, raw.info, height, width);
  return maskFromBytes(raw.data, raw.info.channels, width * height);
}
