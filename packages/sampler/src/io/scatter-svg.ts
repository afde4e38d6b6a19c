/**
 * A scatter plot of 2-D points as SVG text, with no Node or browser API: the CLI renders it to
 * PNG, a page can show it as is.
 */
import { escapeXml } from './svg-text.js';

export interface ScatterOptions {
  /** Reference points (e.g. the training data), drawn below the samples in another colour. */
  reference?: Float32Array;
  /** Width and height in pixels; default 512. */
  size?: number;
  title?: string;
}

export const SAMPLE_COLOR = '#d62728';
export const REFERENCE_COLOR = '#1f77b4';

const FONT = 'font-family="DejaVu Sans, Liberation Sans, sans-serif"';
// The top margin holds the title row and the legend row, so neither hides data.
const MARGIN = { left: 52, right: 16, top: 54, bottom: 40 };

function checkPoints(name: string, points: Float32Array): void {
  if (points.length % 2 !== 0) throw new Error(`${name} must hold x, y pairs: got ${points.length} values, an odd count`);
}

/** A step of 1, 2 or 5 × 10^k giving about `target` intervals over `range`. */
export function niceStep(range: number, target: number): number {
  const raw = range / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power;
}

/** Rounds away float noise in tick labels (0.30000000000000004 → 0.3). */
export function tickLabel(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/**
 * The x and y domains: one span (the larger extent plus 5% each side) for both axes so shapes
 * keep their proportions, each centred on its own data; ticks every `step`.
 */
function axisDomains(set: number[]): { x: [number, number]; y: [number, number]; step: number } {
  const extent = (offset: number): [number, number] => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = offset; i < set.length; i += 2) {
      lo = Math.min(lo, set[i]!);
      hi = Math.max(hi, set[i]!);
    }
    return lo <= hi ? [lo, hi] : [0, 0];
  };
  const [xlo, xhi] = extent(0);
  const [ylo, yhi] = extent(1);
  const extentMax = Math.max(xhi - xlo, yhi - ylo);
  const span = extentMax > 1e-9 ? extentMax * 1.1 : 2;
  const xmid = (xlo + xhi) / 2;
  const ymid = (ylo + yhi) / 2;
  return { x: [xmid - span / 2, xmid + span / 2], y: [ymid - span / 2, ymid + span / 2], step: niceStep(span, 5) };
}

/** Multiples of `step` inside [lo, hi]. */
export function ticksIn([lo, hi]: [number, number], step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi; k++) out.push(k * step);
  return out;
}

/**
 * An SVG scatter plot: light grid, axes with tick labels, samples as semi-transparent dots
 * and the optional reference set in another colour below them, a legend and a title.
 * Points are interleaved [x0, y0, x1, y1, ...]; non-finite points are left out and counted
 * in the legend. x and y share one scale so shapes are not distorted.
 */
export function scatterSvg(points: Float32Array, opts: ScatterOptions = {}): string {
  checkPoints('points', points);
  const reference = opts.reference;
  if (reference) checkPoints('reference', reference);
  const size = opts.size ?? 512;
  if (!Number.isInteger(size) || size < 128) throw new Error(`scatter size must be an integer ≥ 128, got ${size}`);

  const finite = (set: Float32Array): number[] => {
    const out: number[] = [];
    for (let i = 0; i < set.length; i += 2) {
      if (Number.isFinite(set[i]) && Number.isFinite(set[i + 1])) out.push(set[i]!, set[i + 1]!);
    }
    return out;
  };
  const samples = finite(points);
  const refs = reference ? finite(reference) : [];
  const dropped = points.length / 2 - samples.length / 2;
  const domain = axisDomains([...samples, ...refs]);

  const plot = size - Math.max(MARGIN.left + MARGIN.right, MARGIN.top + MARGIN.bottom);
  const x0 = MARGIN.left + Math.floor((size - MARGIN.left - MARGIN.right - plot) / 2);
  const y0 = MARGIN.top + plot;
  const [xlo, xhi] = domain.x;
  const [ylo, yhi] = domain.y;
  const px = (v: number): string => (x0 + ((v - xlo) / (xhi - xlo)) * plot).toFixed(2);
  const py = (v: number): string => (y0 - ((v - ylo) / (yhi - ylo)) * plot).toFixed(2);

  const parts: string[] = [`<rect width="${size}" height="${size}" fill="#ffffff"/>`];
  for (const v of ticksIn(domain.x, domain.step)) {
    parts.push(
      `<line x1="${px(v)}" y1="${MARGIN.top}" x2="${px(v)}" y2="${y0}" stroke="#e6e6e6"/>`,
      `<text x="${px(v)}" y="${y0 + 16}" text-anchor="middle" font-size="11" fill="#444" ${FONT}>${tickLabel(v)}</text>`,
    );
  }
  for (const v of ticksIn(domain.y, domain.step)) {
    parts.push(
      `<line x1="${x0}" y1="${py(v)}" x2="${x0 + plot}" y2="${py(v)}" stroke="#e6e6e6"/>`,
      `<text x="${x0 - 6}" y="${(Number(py(v)) + 4).toFixed(2)}" text-anchor="end" font-size="11" fill="#444" ${FONT}>${tickLabel(v)}</text>`,
    );
  }
  parts.push(`<rect x="${x0}" y="${MARGIN.top}" width="${plot}" height="${plot}" fill="none" stroke="#444"/>`);

  const radius = Math.max(samples.length, refs.length) / 2 > 2000 ? 1.6 : 2.4;
  const dots = (set: number[], color: string): string => {
    const circles: string[] = [];
    for (let i = 0; i < set.length; i += 2) circles.push(`<circle cx="${px(set[i]!)}" cy="${py(set[i + 1]!)}" r="${radius}"/>`);
    return `<g fill="${color}" fill-opacity="0.45">${circles.join('')}</g>`;
  };
  if (refs.length) parts.push(dots(refs, REFERENCE_COLOR));
  parts.push(dots(samples, SAMPLE_COLOR));

  const legend = [[`samples (${samples.length / 2}${dropped ? `, ${dropped} non-finite left out` : ''})`, SAMPLE_COLOR]];
  if (reference) legend.push([`reference (${refs.length / 2})`, REFERENCE_COLOR]);
  let legendX = x0;
  for (const [label, color] of legend) {
    parts.push(
      `<circle cx="${legendX + 5}" cy="38" r="4" fill="${color}"/>`,
      `<text x="${legendX + 13}" y="42" font-size="11" fill="#222" ${FONT}>${escapeXml(label!)}</text>`,
    );
    legendX += 30 + 6.5 * label!.length;
  }
  if (opts.title) {
    parts.push(`<text x="${size / 2}" y="22" text-anchor="middle" font-size="14" fill="#111" ${FONT}>${escapeXml(opts.title)}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">${parts.join('')}</svg>`;
}
