import { scatterSvg } from './scatter-svg.js';

/** Scatter plots of 2-D point sets side by side (an interpolation's frames), one title each, as SVG text. */
export function scatterStripSvg(frames: readonly Float32Array[], titles: readonly string[], size = 240): string {
  if (frames.length === 0 || titles.length !== frames.length) {
    throw new Error(`scatter strip: ${frames.length} frames need as many titles, got ${titles.length}`);
  }
  // Each panel is scatterSvg's own <svg>, placed by its x attribute inside the strip.
  const panels = frames.map((points, i) => scatterSvg(points, { size, title: titles[i] }).replace('<svg ', `<svg x="${i * size}" y="0" `));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size * frames.length}" height="${size}">${panels.join('')}</svg>`;
}
