// Pictures of a batch on a canvas: images as the CLI's grid (encodeImageGrid's pixels), one row
// per class when the batch went through the classes in turn, 2-D points as scatterSvg's plot,
// and the trajectory strip (x_t and x̂₀ over the steps, as `onnx-ddpm sample --frames`).
import { blankRaster, blit, defaultScale, imageGridRaster, itemToRaster, type Raster, SAMPLE_COLOR, scatterSvg } from './sampler.js';
import type { TrajectoryFrame } from './state.js';

/** Whether items of this shape are drawn as points ([D]) rather than images ([C, H, W]). */
export function isPointModel(itemShape: readonly number[]): boolean {
  return itemShape.length === 1;
}

/** What a picture of a batch shows. */
export interface BatchPicture {
  samples: Float32Array;
  /** [N, ...item shape] */
  shape: readonly number[];
  /** Class of each item and the name of each class row, when the batch went through the classes in turn. */
  rows?: { labels: Int32Array; names: string[] } | null;
  title?: string;
}

const FONT = 'DejaVu Sans, Liberation Sans, system-ui, sans-serif';
const LABEL_GRAY = '#222';
const PADDING_GRAY = 128;

/** RGBA pixels of a gray or RGB Raster, for putImageData. */
export function toImageData(r: Raster): ImageData {
  const out = new ImageData(r.width, r.height);
  for (let i = 0, n = r.width * r.height; i < n; i++) {
    for (let c = 0; c < 3; c++) out.data[i * 4 + c] = r.data[i * r.channels + (r.channels === 1 ? 0 : c)]!;
    out.data[i * 4 + 3] = 255;
  }
  return out;
}

/** Sizes a canvas, touching its size only when it changes (a resize reallocates and clears it). */
/** A canvas on the page or an OffscreenCanvas in the worker. */
export type Canvas = HTMLCanvasElement | OffscreenCanvas;
type Context = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

function resize(canvas: Canvas, width: number, height: number): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
}

/**
 * The canvas's 2-D context, kept in CPU memory (`willReadFrequently`): the page writes whole
 * pictures with putImageData, which a GPU-backed canvas would upload as a texture each time.
 */
export function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D;
export function context(canvas: Canvas): Context;
export function context(canvas: Canvas): Context {
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as Context | null;
  if (!ctx) throw new Error('this browser cannot draw on a 2-D canvas');
  return ctx;
}

/**
 * Items of class c in row c (item i has class labels[i]: with "each class in turn" that is i mod K),
 * their class's name left of the row. `scale` upscales pixels; `labelScale` the text and margins.
 */
function drawClassRows(canvas: Canvas, p: BatchPicture, scale: number, labelScale: number): void {
  const [n, c, h, w] = p.shape as [number, 1 | 3, number, number];
  const { labels, names } = p.rows!;
  const perRow = names.map((_, k) => labels.reduce((count, l) => count + (l === k ? 1 : 0), 0));
  const columns = Math.max(1, ...perRow);
  const pad = 2 * labelScale;
  const fontPx = 13 * labelScale;
  const ctx0 = context(canvas);
  ctx0.font = `${fontPx}px ${FONT}`;
  const left = Math.ceil(Math.max(...names.map((s) => ctx0.measureText(s).width))) + 3 * pad;
  const cellW = w * scale;
  const cellH = h * scale;
  const grid = blankRaster(columns * cellW + (columns + 1) * pad, names.length * cellH + (names.length + 1) * pad, c, PADDING_GRAY);
  const filled = new Array<number>(names.length).fill(0);
  const size = c * h * w;
  for (let i = 0; i < n; i++) {
    const row = labels[i]!;
    const col = filled[row]!++;
    blit(grid, itemToRaster(p.samples, i * size, c, h, w, scale), pad + col * (cellW + pad), pad + row * (cellH + pad));
  }
  resize(canvas, left + grid.width, grid.height);
  const ctx = context(canvas);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.putImageData(toImageData(grid), left, 0);
  ctx.font = `${fontPx}px ${FONT}`;
  ctx.fillStyle = LABEL_GRAY;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  names.forEach((name, k) => {
    ctx.fillText(name, left - pad, pad + k * (cellH + pad) + cellH / 2);
  });
}

export async function svgImage(svg: string): Promise<HTMLImageElement> {
  const img = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    img.src = url;
    await img.decode();
  } finally {
    URL.revokeObjectURL(url);
  }
  return img;
}

/** One dot drawn once, stamped per point (a thousand drawImage calls cost far less than a thousand arcs). */
function dotSprite(color: string, opacity: number, radius: number): { image: HTMLCanvasElement; half: number } {
  const half = Math.ceil(radius) + 1;
  const image = document.createElement('canvas');
  image.width = 2 * half;
  image.height = 2 * half;
  const ctx = context(image);
  ctx.fillStyle = color;
  ctx.globalAlpha = opacity;
  ctx.beginPath();
  ctx.arc(half, half, radius, 0, 2 * Math.PI);
  ctx.fill();
  return { image, half };
}

const DOT_GROUP = /<g fill="(#[0-9a-fA-F]{6})" fill-opacity="([\d.]+)">((?:<circle [^>]*\/>)*)<\/g>/g;
const DOT = /<circle cx="([-\d.]+)" cy="([-\d.]+)" r="([\d.]+)"\/>/g;

/**
 * Draws scatterSvg's plot: the frame (grid, axes, legend, title) as SVG, the dots with the canvas
 * API. Rasterising a thousand SVG circles takes the main thread 60–300 ms here; arcs take a few.
 * Should the SVG's dot groups ever look different, the whole SVG is drawn as is.
 */
async function drawScatterSvg(ctx: CanvasRenderingContext2D, svg: string, ratio: number, size: number): Promise<void> {
  const groups = [...svg.matchAll(DOT_GROUP)];
  const frame = await svgImage(groups.length ? svg.replace(DOT_GROUP, '') : svg);
  ctx.drawImage(frame, 0, 0, size * ratio, size * ratio);
  for (const [, color, opacity, circles] of groups) {
    let sprite: { image: HTMLCanvasElement; half: number } | null = null;
    for (const [, cx, cy, r] of circles!.matchAll(DOT)) {
      sprite ??= dotSprite(color!, Number(opacity), Number(r) * ratio);
      ctx.drawImage(sprite.image, Number(cx) * ratio - sprite.half, Number(cy) * ratio - sprite.half);
    }
  }
}

export interface DrawOptions {
  /** Points: the plot's size in CSS px (scatterSvg's 11–14 px text stays that size on screen). */
  cssSize?: number;
  /** Device pixels per CSS px. */
  pixelRatio?: number;
  /** Images: integer upscale per pixel (default: the CLI's). */
  scale?: number;
}

/**
 * Draws a batch with the canvas API alone (a worker can, on an OffscreenCanvas): images as the
 * grid or the class rows, points as the quick [−3, 3]² preview plot.
 */
export function drawQuick(canvas: Canvas, p: BatchPicture, opts: DrawOptions = {}): void {
  const item = p.shape.slice(1);
  const ratio = opts.pixelRatio ?? 1;
  if (isPointModel(item)) {
    drawPointsPreview(canvas, p.samples, Math.max(128, Math.round(opts.cssSize ?? 512)), ratio, p.title ?? '');
    return;
  }
  const [, , h, w] = p.shape as number[];
  const scale = opts.scale ?? defaultScale(h!, w!);
  if (p.rows) {
    drawClassRows(canvas, p, Math.max(1, Math.round(scale * ratio)), ratio);
    return;
  }
  const raster = imageGridRaster(p.samples, p.shape, { scale });
  resize(canvas, raster.width, raster.height);
  context(canvas).putImageData(toImageData(raster), 0, 0);
}

/**
 * Draws a result: points as scatterSvg's plot laid out for `cssSize` px and rendered at
 * `pixelRatio` device pixels per px; images as {@link drawQuick} does.
 */
export async function drawBatch(canvas: HTMLCanvasElement, p: BatchPicture, opts: DrawOptions = {}): Promise<void> {
  const item = p.shape.slice(1);
  if (!isPointModel(item)) return drawQuick(canvas, p, opts);
  if (item[0] !== 2) throw new Error(`only 2-D points can be plotted; items here are [${item.join(', ')}]`);
  const ratio = opts.pixelRatio ?? 1;
  const size = Math.max(128, Math.round(opts.cssSize ?? 512));
  resize(canvas, Math.round(size * ratio), Math.round(size * ratio));
  const ctx = context(canvas) as CanvasRenderingContext2D;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  await drawScatterSvg(ctx, scatterSvg(p.samples, { size, title: p.title }), ratio, size);
}

/** The download: images upscaled so a cell is at least 160 px wide (labels at 2×), points plotted at 1024 px. */
export async function encodeDownload(p: BatchPicture): Promise<Blob> {
  const canvas = document.createElement('canvas');
  const item = p.shape.slice(1);
  if (isPointModel(item)) await drawBatch(canvas, p, { cssSize: 1024 });
  else {
    const scale = Math.ceil(160 / Math.max(item[1]!, item[2]!));
    await drawBatch(canvas, p, p.rows ? { scale: Math.ceil(scale / 2), pixelRatio: 2 } : { scale });
  }
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the canvas as PNG'))), 'image/png'));
}

/** Indices of up to `count` of `total` frames, evenly spread, first and last included. */
export function spreadFrames(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  return [...new Set(Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1))))];
}

/**
 * Plots points [x0, y0, x1, …] as square dots of `dot` px into a square cell (domain [−3, 3]²,
 * the noise's range and the data's) with fillRect: a few ms for thousands of points, for previews
 * while a run goes on (a full ImageData would cost the main thread 4× that).
 */
function plotPoints(ctx: Context, points: Float32Array, x: number, y: number, size: number, dot: number): void {
  ctx.fillStyle = '#f7f7f7';
  ctx.fillRect(x, y, size, size);
  ctx.fillStyle = SAMPLE_COLOR;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const px = ((points[i]! + 3) / 6) * size;
    const py = (1 - (points[i + 1]! + 3) / 6) * size;
    if (px >= 0 && py >= 0 && px <= size - dot && py <= size - dot) ctx.fillRect(x + px, y + py, dot, dot);
  }
}

/** A preview of points (x̂₀ during a run): the plain [−3, 3]² plot of {@link plotPoints} with a caption. */
function drawPointsPreview(canvas: Canvas, points: Float32Array, cssSize: number, ratio: number, title: string): void {
  const px = Math.round(cssSize * ratio);
  resize(canvas, px, px);
  const ctx = context(canvas);
  plotPoints(ctx, points, 0, 0, px, Math.max(2, Math.round(2 * ratio)));
  ctx.font = `${Math.round(14 * ratio)}px ${FONT}`;
  ctx.fillStyle = LABEL_GRAY;
  ctx.textAlign = 'center';
  ctx.fillText(`${title} (axes −3…3)`, px / 2, Math.round(22 * ratio));
}

/**
 * The trajectory strip: up to `columns` recorded steps, x_t above x̂₀, each column labelled with
 * its t. Frames hold the first image or the first 300 points. Drawn at `ratio` device pixels per px.
 */
export function drawTrajectory(canvas: HTMLCanvasElement, frames: readonly TrajectoryFrame[], itemShape: readonly number[], ratio: number, columns = 10): void {
  const picked = spreadFrames(frames.length, columns).map((i) => frames[i]!);
  const points = isPointModel(itemShape);
  const cell = points ? 72 : Math.max(48, itemShape[1]! * defaultScale(itemShape[1]!, itemShape[2]!));
  const gap = 4;
  const top = 18;
  const left = 28;
  resize(canvas, Math.round((left + picked.length * (cell + gap)) * ratio), Math.round((top + 2 * (cell + gap)) * ratio));
  canvas.style.width = `${canvas.width / ratio}px`;
  const ctx = context(canvas);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = `12px ${FONT}`;
  ctx.fillStyle = LABEL_GRAY;
  ctx.textAlign = 'center';
  picked.forEach((f, j) => {
    ctx.fillText(`t=${f.t}`, left + j * (cell + gap) + cell / 2, top - 5);
  });
  ctx.textAlign = 'right';
  ctx.fillText('xₜ', left - 6, top + cell / 2 + 4);
  ctx.fillText('x̂₀', left - 6, top + cell + gap + cell / 2 + 4);
  picked.forEach((f, j) => {
    const x = left + j * (cell + gap);
    [f.xt, f.x0].forEach((data, row) => {
      const y = top + row * (cell + gap);
      if (points) {
        plotPoints(ctx, data, x, y, cell, 1.5);
        return;
      }
      const [c, h, w] = itemShape as [1 | 3, number, number];
      const s = Math.round(cell / h);
      const raster = itemToRaster(data, 0, c, h, w, Math.max(1, Math.round(s * ratio)));
      ctx.putImageData(toImageData(raster), Math.round(x * ratio), Math.round(y * ratio));
    });
  });
}
