/**
 * The training-loss curve of a model card as SVG text (rendered to PNG by sharp, whose librsvg
 * draws the text with the system's DejaVu/Liberation fonts): each logged step's loss as a faint
 * dot, the trainer's running mean (ema_loss) as a line, step on x, loss on y (log scale when the
 * loss spans more than a factor of 3), grid lines and tick labels on both axes.
 */
import { escapeXml, niceStep, tickLabel, ticksIn } from '@onnx-ddpm/sampler';
import type { TrainLogPoint } from './train-log.js';

export interface LossCurveOptions {
  /** Pixels; default 720 × 400. */
  width?: number;
  height?: number;
  title?: string;
  /** Log-scale y: true, false, or 'auto' (default: when max/min of the plotted losses exceeds 3). */
  logScale?: boolean | 'auto';
}

export interface LossCurve {
  svg: string;
  logScale: boolean;
  /** Pixel x of a step and pixel y of a loss value (the scales the SVG was drawn with). */
  x: (step: number) => number;
  y: (loss: number) => number;
  /** The plot area in pixels. */
  plot: { left: number; top: number; right: number; bottom: number };
}

export const RAW_COLOR = '#1f77b4';
export const MEAN_COLOR = '#d62728';
const FONT = 'font-family="DejaVu Sans, Liberation Sans, sans-serif"';
const MARGIN = { left: 70, right: 20, top: 40, bottom: 52 };

/** Ticks 1, 2, 5 × 10^k inside [lo, hi] (every m × 10^k when that gives fewer than three). */
function logTicks(lo: number, hi: number): number[] {
  for (const mantissas of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks: number[] = [];
    for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** k).toPrecision(6));
        if (v >= lo && v <= hi) ticks.push(v);
      }
    }
    if (ticks.length >= 3) return ticks;
  }
  return [];
}

/** 12000 → "12k" on the step axis; small numbers as they are. */
function stepLabel(v: number): string {
  return v >= 10000 && v % 1000 === 0 ? `${v / 1000}k` : tickLabel(v);
}

export function lossCurveSvg(points: readonly TrainLogPoint[], opts: LossCurveOptions = {}): LossCurve {
  const width = opts.width ?? 720;
  const height = opts.height ?? 400;
  const plotted = points.filter((p) => Number.isFinite(p.loss) && Number.isFinite(p.ema_loss));
  if (plotted.length === 0) throw new Error('loss curve: the log has no finite losses');
  const values = plotted.flatMap((p) => [p.loss, p.ema_loss]);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const logScale = lo > 0 && (opts.logScale === 'auto' || opts.logScale === undefined ? hi / lo > 3 : opts.logScale);

  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
  const maxStep = Math.max(...plotted.map((p) => p.step));
  const xStep = niceStep(maxStep, 6);
  const xDomain: [number, number] = [0, Math.ceil(maxStep / xStep) * xStep];
  const x = (step: number) => plot.left + ((step - xDomain[0]) / (xDomain[1] - xDomain[0])) * (plot.right - plot.left);

  let y: (loss: number) => number;
  let yTicks: number[];
  if (logScale) {
    const pad = (Math.log10(hi) - Math.log10(lo)) * 0.05 || 0.05;
    const [a, b] = [Math.log10(lo) - pad, Math.log10(hi) + pad];
    y = (loss) => plot.bottom - ((Math.log10(loss) - a) / (b - a)) * (plot.bottom - plot.top);
    yTicks = logTicks(10 ** a, 10 ** b);
  } else {
    const span = hi - lo || Math.abs(hi) || 1;
    const [a, b] = [lo - span * 0.05, hi + span * 0.05];
    y = (loss) => plot.bottom - ((loss - a) / (b - a)) * (plot.bottom - plot.top);
    yTicks = ticksIn([a, b], niceStep(b - a, 5));
  }
  const f = (v: number) => v.toFixed(2);

  const parts: string[] = [`<rect width="${width}" height="${height}" fill="#ffffff"/>`];
  for (const s of ticksIn(xDomain, xStep)) {
    parts.push(
      `<line x1="${f(x(s))}" y1="${plot.top}" x2="${f(x(s))}" y2="${plot.bottom}" stroke="#e6e6e6"/>`,
      `<text x="${f(x(s))}" y="${plot.bottom + 18}" text-anchor="middle" font-size="12" fill="#333" ${FONT}>${stepLabel(s)}</text>`,
    );
  }
  for (const v of yTicks) {
    parts.push(
      `<line x1="${plot.left}" y1="${f(y(v))}" x2="${plot.right}" y2="${f(y(v))}" stroke="#e6e6e6"/>`,
      `<text x="${plot.left - 8}" y="${f(y(v) + 4)}" text-anchor="end" font-size="12" fill="#333" ${FONT}>${tickLabel(v)}</text>`,
    );
  }
  parts.push(`<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#444"/>`);
  const radius = plotted.length > 500 ? 1.6 : 2.6;
  parts.push(
    `<g fill="${RAW_COLOR}" fill-opacity="${plotted.length > 500 ? 0.25 : 0.45}">${plotted.map((p) => `<circle cx="${f(x(p.step))}" cy="${f(y(p.loss))}" r="${radius}"/>`).join('')}</g>`,
    `<polyline fill="none" stroke="${MEAN_COLOR}" stroke-width="2" stroke-linejoin="round" points="${plotted.map((p) => `${f(x(p.step))},${f(y(p.ema_loss))}`).join(' ')}"/>`,
  );

  const every = plotted.length > 1 ? plotted[1]!.step - plotted[0]!.step : plotted[0]!.step;
  const legend: [string, string, 'dot' | 'line'][] = [
    [`loss of one step (logged every ${every})`, RAW_COLOR, 'dot'],
    ['running mean (the trainer’s ema_loss, ≈ 50 steps)', MEAN_COLOR, 'line'],
  ];
  legend.forEach(([label, color, mark], i) => {
    const ly = plot.top + 18 + 18 * i;
    const lx = plot.right - 330;
    parts.push(
      mark === 'dot'
        ? `<circle cx="${lx + 9}" cy="${ly - 4}" r="3.5" fill="${color}" fill-opacity="0.6"/>`
        : `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 18}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${lx + 26}" y="${ly}" font-size="12" fill="#222" ${FONT}>${escapeXml(label)}</text>`,
    );
  });
  parts.push(
    `<text x="${(plot.left + plot.right) / 2}" y="${height - 12}" text-anchor="middle" font-size="13" fill="#111" ${FONT}>step</text>`,
    `<text transform="translate(18 ${(plot.top + plot.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="13" fill="#111" ${FONT}>${logScale ? 'loss (log scale)' : 'loss'}</text>`,
  );
  if (opts.title) {
    parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" fill="#111" ${FONT}>${escapeXml(opts.title)}</text>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
  return { svg, logScale, x, y, plot };
}
