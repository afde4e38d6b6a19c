/**
 * A sample grid with one row per class and the class names on the left, as SVG text: the grid PNG
 * (from the sampler's encodeImageGrid) is embedded as a data: URI and sharp renders the whole.
 */
import { escapeXml } from '@onnx-ddpm/sampler';

export interface LabelledGridOptions {
  /** The grid PNG and its size in pixels. */
  png: Uint8Array;
  width: number;
  height: number;
  /** One label per grid row, top to bottom. */
  rowLabels: readonly string[];
  /** The grid's gap between cells and around it (encodeImageGrid's padding, default 2). */
  padding?: number;
  title?: string;
}

const FONT = 'font-family="DejaVu Sans, Liberation Sans, sans-serif"';

/** The y (pixels in the grid) of the middle of row `i` of `rows` equal rows separated by `padding`. */
export function gridRowCentre(i: number, rows: number, height: number, padding: number): number {
  const pitch = (height - padding) / rows;
  return padding + i * pitch + (pitch - padding) / 2;
}

export function labelledGridSvg(opts: LabelledGridOptions): string {
  const padding = opts.padding ?? 2;
  const rows = opts.rowLabels.length;
  const labelWidth = 16 + 7.5 * Math.max(...opts.rowLabels.map((l) => l.length));
  const top = opts.title ? 30 : 0;
  const width = Math.ceil(labelWidth + opts.width);
  const height = opts.height + top;
  const labels = opts.rowLabels.map(
    (label, i) =>
      `<text x="${labelWidth - 8}" y="${(top + gridRowCentre(i, rows, opts.height, padding) + 5).toFixed(1)}" text-anchor="end" font-size="13" fill="#222" ${FONT}>${escapeXml(label)}</text>`,
  );
  const title = opts.title
    ? `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" fill="#111" ${FONT}>${escapeXml(opts.title)}</text>`
    : '';
  const href = `data:image/png;base64,${Buffer.from(opts.png).toString('base64')}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>${title}${labels.join('')}` +
    `<image x="${Math.ceil(labelWidth)}" y="${top}" width="${opts.width}" height="${opts.height}" xlink:href="${href}" href="${href}"/></svg>`
  );
}
