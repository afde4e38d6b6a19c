import sharp from 'sharp';
import { type ScatterOptions, scatterSvg } from './scatter-svg.js';

/** SVG text rendered to PNG by sharp (librsvg) on a white background. */
export async function encodeSvgPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png({ compressionLevel: 9 }).toBuffer();
}

/** 2-D points [x0, y0, x1, y1, ...] as a scatter-plot PNG (the SVG of scatterSvg rendered by sharp). */
export async function encodeScatterPng(points: Float32Array, opts: ScatterOptions = {}): Promise<Buffer> {
  return encodeSvgPng(scatterSvg(points, opts));
}
