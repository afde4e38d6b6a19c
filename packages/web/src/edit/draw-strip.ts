// The interpolation strip on a canvas: the picture `onnx-ddpm interpolate --out` writes (the
// sampler's interpolationStrip: images side by side titled with α, or a scatter plot per frame).
import { context, svgImage, toImageData } from '../render.js';
import { interpolationStrip } from '../sampler.js';

/** Draws frames [frames × items, ...item] on `canvas` at `ratio` device pixels per px; returns its CSS width. */
export async function drawInterpolationStrip(canvas: HTMLCanvasElement, samples: Float32Array, frames: number, itemShape: readonly number[], ratio: number): Promise<number> {
  const strip = interpolationStrip(samples, frames, itemShape);
  const svg = 'svg' in strip ? strip.svg : strip.image.overlaySvg;
  const size = svg.match(/^<svg [^>]*width="(\d+)" height="(\d+)"/);
  const width = Number(size![1]);
  const height = Number(size![2]);
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = context(canvas);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if ('image' in strip) {
    // The cells at their own pixels (ratio 1: exactly the CLI's raster), the labels over them.
    const raster = toImageData(strip.image.raster);
    if (ratio === 1) ctx.putImageData(raster, 0, 0);
    else {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(await createImageBitmap(raster), 0, 0, canvas.width, canvas.height);
    }
  }
  ctx.drawImage(await svgImage(svg), 0, 0, canvas.width, canvas.height);
  return width;
}
