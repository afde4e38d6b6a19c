import { imageStripPicture, type StripPicture } from './image-strip-picture.js';
import { scatterStripSvg } from './scatter-strip.js';

/** An interpolation's picture: images as an image strip, 2-D points as SVG scatter plots side by side. */
export type InterpolationStrip = { image: StripPicture } | { svg: string };

/**
 * Frames of an interpolation (float32 [frames × items, ...item]) side by side, each titled with its
 * α: one image per frame in a strip, or one scatter plot per frame (2-D points).
 */
export function interpolationStrip(samples: Float32Array, frames: number, itemShape: readonly number[]): InterpolationStrip {
  const per = samples.length / frames;
  const frame = (f: number) => samples.subarray(f * per, (f + 1) * per);
  const alphas = Array.from({ length: frames }, (_, f) => `α ${(f / (frames - 1)).toFixed(2)}`);
  const images = alphas.map((_, f) => frame(f));
  if (itemShape.length === 3) return { image: imageStripPicture([{ label: '', images }], alphas, itemShape) };
  if (itemShape.join() !== '2') throw new Error(`an interpolation strip draws images or 2-D points; items here are [${itemShape.join(', ')}]`);
  return { svg: scatterStripSvg(images, alphas) };
}
