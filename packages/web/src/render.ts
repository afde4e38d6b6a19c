import { imageGridRaster, type Raster, scatterSvg } from '@onnx-ddpm/sampler/web';

/** Whether items of this shape are drawn as points ([D] with D = 2) rather than images ([C, H, W]). */
export function isPointModel(itemShape: readonly number[]): boolean {
  return itemShape.length === 1;
}

/** RGBA pixels of a gray or RGB Raster, for putImageData. */
function toImageData(r: Raster): ImageData {
  const out = new ImageData(r.width, r.height);
  for (let i = 0, n = r.width * r.height; i < n; i++) {
    for (let c = 0; c < 3; c++) out.data[i * 4 + c] = r.data[i * r.channels + (r.channels === 1 ? 0 : c)]!;
    out.data[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * Draws a batch on the canvas as the CLI writes it: images as the grid of encodeImageGrid (same
 * pixels), 2-D points as the scatter plot of scatterSvg. Values outside [−1, 1] are clamped in images.
 */
export async function drawSamples(canvas: HTMLCanvasElement, samples: Float32Array, shape: readonly number[], title?: string): Promise<void> {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a 2-D canvas');
  if (isPointModel(shape.slice(1))) {
    if (shape[1] !== 2) throw new Error(`only 2-D points can be plotted; items here are [${shape.slice(1).join(', ')}]`);
    const size = 512;
    const svg = scatterSvg(samples, { size, title });
    const img = new Image(size, size);
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    try {
      img.src = url;
      await img.decode();
    } finally {
      URL.revokeObjectURL(url);
    }
    canvas.width = size;
    canvas.height = size;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(img, 0, 0);
    return;
  }
  const raster = imageGridRaster(samples, shape);
  canvas.width = raster.width;
  canvas.height = raster.height;
  ctx.putImageData(toImageData(raster), 0, 0);
}
