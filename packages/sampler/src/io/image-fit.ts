/**
 * The rules for an image given to a model (img2img, inpainting, inversion), without any decoder:
 * the CLI (sharp, image-load.ts) and the page (a canvas) decode, then ask these whether the image
 * fits, and say the same thing when it does not.
 */

/** An image that does not fit the model and may not be resized; the message says what differs. */
export class ImageShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageShapeError';
  }
}

/** "28×28 gray", "64×48 RGB". */
export function describeImage(width: number, height: number, channels: number): string {
  return `${width}×${height} ${channels === 1 ? 'gray' : channels === 3 ? 'RGB' : `${channels}-channel`}`;
}

/** Whether every pixel of interleaved bytes (`stride` bytes per pixel, R G B first) is gray: R = G = B. */
export function isGrayPixels(data: ArrayLike<number>, stride: number): boolean {
  for (let p = 0; p < data.length; p += stride) if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) return false;
  return true;
}

/** What a decoded image is: its size and whether all its pixels are gray (then it counts as 1-channel). */
export interface DecodedImageInfo {
  width: number;
  height: number;
  gray: boolean;
}

/**
 * Whether an image fits a model taking [C, H, W] items (C = 1 or 3): same size and channel count.
 * Returns null when it fits, else how it is fitted ("resized 64×64 RGB to 28×28 gray"); when it
 * does not fit and `resize` is false, throws an ImageShapeError naming both (`name` in the message).
 */
export function imageFit(itemShape: readonly number[], image: DecodedImageInfo, opts: { name: string; resize?: boolean }): string | null {
  const [channels, height, width] = checkImageItemShape(itemShape);
  const fileChannels = image.gray ? 1 : 3;
  const have = describeImage(image.width, image.height, fileChannels);
  const want = describeImage(width, height, channels);
  if (image.width === width && image.height === height && fileChannels === channels) return null;
  if (!opts.resize) throw new ImageShapeError(`${opts.name} is ${have}; the model takes ${want} images`);
  return `resized ${have} to ${want}`;
}

/** [C, H, W] of a model that takes gray or RGB images; an ImageShapeError otherwise. */
export function checkImageItemShape(itemShape: readonly number[]): [1 | 3, number, number] {
  const [channels, height, width] = itemShape as [number, number, number];
  if (itemShape.length !== 3 || (channels !== 1 && channels !== 3)) {
    throw new ImageShapeError(`the model's items [${itemShape.join(', ')}] are not gray or RGB images`);
  }
  return [channels, height, width];
}

/**
 * Interleaved bytes at the model's size (`stride` bytes per pixel, the first `channels` used) as
 * one item, float32 [C, H, W] in [−1, 1]: byte b ↦ b / 127.5 − 1 (as decodeImageTensor).
 */
export function bytesToItem(data: ArrayLike<number>, stride: number, channels: 1 | 3, plane: number): Float32Array {
  const out = new Float32Array(channels * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) out[c * plane + p] = data[p * stride + c]! / 127.5 - 1;
  }
  return out;
}

/** A mask image must have the init images' size (masks are never resized). */
export function checkMaskSize(name: string, image: { width: number; height: number }, height: number, width: number): void {
  if (image.width !== width || image.height !== height) {
    throw new ImageShapeError(`mask ${name} is ${image.width}×${image.height}; the init images are ${width}×${height}`);
  }
}

/** Mask bytes (`stride` per pixel, gray in the first) as float32 [H × W] in [0, 1]: white = 1 = keep, black = 0 = generate. */
export function maskFromBytes(data: ArrayLike<number>, stride: number, plane: number): Float32Array {
  const out = new Float32Array(plane);
  for (let p = 0; p < plane; p++) out[p] = data[p * stride]! / 255;
  return out;
}
