// The live loss curve: each step's loss (light) and its running average (dark) on a log scale.
import { context } from '../render.js';

export interface LossPoint {
  step: number;
  loss: number;
  emaLoss: number;
}

const FONT = '11px DejaVu Sans, Liberation Sans, system-ui, sans-serif';

/** Draws the curve for `totalSteps` on a canvas of `cssWidth` × `cssHeight` px at `ratio` device px per px. */
export function drawLossChart(canvas: HTMLCanvasElement, points: readonly LossPoint[], totalSteps: number, cssWidth: number, cssHeight: number, ratio: number): void {
  const [w, h] = [Math.round(cssWidth * ratio), Math.round(cssHeight * ratio)];
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = context(canvas);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, cssWidth, cssHeight);
  const pad = { left: 46, right: 22, top: 10, bottom: 24 };
  const [pw, ph] = [cssWidth - pad.left - pad.right, cssHeight - pad.top - pad.bottom];
  const finite = points.filter((p) => p.loss > 0 && Number.isFinite(p.loss));
  const values = finite.flatMap((p) => [p.loss, p.emaLoss]).filter((v) => v > 0 && Number.isFinite(v));
  const lo = values.length ? Math.log10(Math.min(...values)) : -1;
  const hi = values.length ? Math.log10(Math.max(...values)) : 0;
  const [yMin, yMax] = hi - lo < 0.1 ? [lo - 0.05, hi + 0.05] : [lo, hi];
  const x = (step: number) => pad.left + (pw * step) / Math.max(1, totalSteps);
  const y = (v: number) => pad.top + ph * (1 - (Math.log10(v) - yMin) / (yMax - yMin));
  ctx.strokeStyle = '#ccc';
  ctx.lineWidth = 1;
  ctx.strokeRect(pad.left, pad.top, pw, ph);
  ctx.fillStyle = '#444';
  ctx.font = FONT;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of [10 ** yMin, 10 ** ((yMin + yMax) / 2), 10 ** yMax]) ctx.fillText(v.toPrecision(2), pad.left - 4, y(v));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const step of [0, Math.round(totalSteps / 2), totalSteps]) ctx.fillText(String(step), x(step), pad.top + ph + 6);
  const line = (pick: (p: LossPoint) => number, color: string, width: number) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    for (const [i, p] of finite.entries()) {
      if (i) ctx.lineTo(x(p.step), y(pick(p)));
      else ctx.moveTo(x(p.step), y(pick(p)));
    }
    ctx.stroke();
  };
  line((p) => p.loss, '#9ecae1', 1);
  line((p) => p.emaLoss, '#08519c', 2);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
}
