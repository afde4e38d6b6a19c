import { blankRaster, blit, defaultScale, itemToRaster, type Raster } from './pixels.js';
import { escapeXml } from './svg-text.js';

/** One labelled row of a strip: one CHW image in [−1, 1] per column. */
export interface StripRow {
  label: string;
  images: Float32Array[];
}

/** A strip's pixels and its labels as an SVG overlay of the same size (transparent background). */
export interface StripPicture {
  raster: Raster;
  overlaySvg: string;
}

const GAP = 4;
const TOP = 20;
const FONT = 'font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="12" fill="#222"';

/**
 * Rows of same-sized images on a white background, a label above each column and left of each
 * row (the SVG overlay), RGB. `itemShape` is [C, H, W]; each image is upscaled by `scale`
 * (default: at least 48 px wide). No encoder: the CLI writes it as PNG, the page draws it.
 */
export function imageStripPicture(rows: readonly StripRow[], columnLabels: readonly string[], itemShape: readonly number[], opts: { scale?: number } = {}): StripPicture {
  if (itemShape.length !== 3) throw new Error(`encodeImageStrip: itemShape must be [C, H, W], got [${itemShape.join(', ')}]`);
  const [c, h, w] = itemShape as [number, number, number];
  if (c !== 1 && c !== 3) throw new Error(`images need 1 (gray) or 3 (RGB) channels, got C = ${c}`);
  const columns = columnLabels.length;
  if (rows.length === 0 || columns === 0) throw new Error('encodeImageStrip: nothing to draw');
  for (const row of rows) {
    if (row.images.length !== columns) {
      throw new Error(`strip row '${row.label}' has ${row.images.length} images for ${columns} column labels`);
    }
    for (const image of row.images) {
      if (image.length !== c * h * w) throw new Error(`strip row '${row.label}': an image has ${image.length} values, [${c}, ${h}, ${w}] needs ${c * h * w}`);
    }
  }
  const scale = opts.scale ?? defaultScale(h, w);
  const cellW = w * scale;
  const cellH = h * scale;
  const left = Math.max(0, ...rows.map((r) => r.label.length)) * 8 + (rows.some((r) => r.label) ? 2 * GAP : GAP);
  const width = left + columns * (cellW + GAP);
  const height = TOP + rows.length * (cellH + GAP);
  const raster = blankRaster(width, height, 3, 255);
  const text: string[] = [];
  columnLabels.forEach((label, j) => {
    const x = left + j * (cellW + GAP) + cellW / 2;
    text.push(`<text x="${x}" y="${TOP - 6}" text-anchor="middle" ${FONT}>${escapeXml(label)}</text>`);
  });
  rows.forEach((row, i) => {
    const y = TOP + i * (cellH + GAP);
    text.push(`<text x="${left - GAP}" y="${y + cellH / 2 + 4}" text-anchor="end" ${FONT}>${escapeXml(row.label)}</text>`);
    row.images.forEach((image, j) => {
      blit(raster, itemToRaster(image, 0, c as 1 | 3, h, w, scale), left + j * (cellW + GAP), y);
    });
  });
  return { raster, overlaySvg: `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${text.join('')}</svg>` };
}
