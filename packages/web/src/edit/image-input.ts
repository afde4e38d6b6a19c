// Uploaded images for img2img, inpainting and interpolation, decoded with a canvas and judged by
// the sampler's rules (image-fit.ts), so the page accepts, resizes and refuses what `onnx-ddpm
// sample --init` does, with the same messages.
import { bytesToItem, checkImageItemShape, checkMaskSize, ImageShapeError, imageFit, isGrayPixels, maskFromBytes } from '../sampler.js';

/** An image fitted to the model: one item [C, H, W] in [−1, 1], and how it was fitted (null: as is). */
export interface ModelImage {
  name: string;
  data: Float32Array;
  fitted: string | null;
}

/** The file's pixels at `width`×`height` (centre-cropped to that aspect when `cover`), flattened onto `background`, RGBA. */
async function pixels(file: Blob, name: string, size: { width: number; height: number } | null, background: string): Promise<ImageData> {
  let bitmap: ImageBitmap;
  try {
    // No colour management or premultiplication: a gray PNG's bytes arrive as they are in the file.
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (err) {
    throw new ImageShapeError(`${name} is not a readable image (${(err as Error).message || 'the browser cannot decode it'})`);
  }
  try {
    const width = size?.width ?? bitmap.width;
    const height = size?.height ?? bitmap.height;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, width, height);
    if (size) {
      // Centre crop to the target's aspect ("cover"), then scale (the CLI uses Lanczos; the canvas its own filter).
      const scale = Math.max(width / bitmap.width, height / bitmap.height);
      const sw = width / scale;
      const sh = height / scale;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, (bitmap.width - sw) / 2, (bitmap.height - sh) / 2, sw, sh, 0, 0, width, height);
    } else {
      ctx.drawImage(bitmap, 0, 0);
    }
    return ctx.getImageData(0, 0, width, height);
  } finally {
    bitmap.close();
  }
}

/** Rec. 709 luma of RGBA pixels, in place in the red byte (the CLI's resize converts to gray the same way, up to rounding). */
function toGray(rgba: Uint8ClampedArray): void {
  for (let p = 0; p < rgba.length; p += 4) rgba[p] = Math.round(0.2126 * rgba[p]! + 0.7152 * rgba[p + 1]! + 0.0722 * rgba[p + 2]!);
}

/**
 * An image file for a model taking [C, H, W] items: refused (ImageShapeError, "x.png is 64×64 RGB;
 * the model takes 28×28 gray images") unless it fits or `resize`, as `sample --init` does.
 */
export async function loadModelImage(file: File, itemShape: readonly number[], resize: boolean): Promise<ModelImage> {
  const [channels, height, width] = checkImageItemShape(itemShape);
  const natural = await pixels(file, file.name, null, '#ffffff');
  const fitted = imageFit(itemShape, { width: natural.width, height: natural.height, gray: isGrayPixels(natural.data, 4) }, { name: file.name, resize });
  const fit = fitted ? await pixels(file, file.name, { width, height }, '#ffffff') : natural;
  if (channels === 1 && !isGrayPixels(fit.data, 4)) toGray(fit.data);
  return { name: file.name, data: bytesToItem(fit.data, 4, channels, width * height), fitted };
}

/** A mask image at the model's H×W (never resized; white = 1 = keep), as float32 [H × W]. */
export async function loadMaskFile(file: File, height: number, width: number): Promise<Float32Array> {
  const image = await pixels(file, file.name, null, '#000000');
  checkMaskSize(file.name, image, height, width);
  if (!isGrayPixels(image.data, 4)) toGray(image.data);
  return maskFromBytes(image.data, 4, width * height);
}

/** Why an image was refused, as the CLI says it (with the page's word for --resize), as a sentence; then `after`. */
export function refusedMessage(err: unknown, resize: boolean, after = ''): string {
  let text = err instanceof Error ? err.message : String(err);
  if (err instanceof ImageShapeError && !resize && / is \d+×\d+ .*; the model takes /.test(text)) text += ' (refused; tick “Resize images” to resize it)';
  return `${text}${text.endsWith('.') ? '' : '.'}${after && ` ${after}`}`;
}
