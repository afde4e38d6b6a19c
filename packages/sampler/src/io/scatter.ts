import sharp from 'sharp';
import { type ScatterOptions, scatterSvg } from './scatter-svg.js';

/** 2-D points [x0, y0, x1, y1, ...] as a scatter-plot PNG (the SVG of scatterSvg rendered by sharp). */
export async function encodeScatterPng(points: Float32Array, opts: ScatterOptions = {}): Promise<Buffer> {
  return sharp(Buffer.from(scatterSvg(points, opts))).flatten({ background: '#ffffff' }).png({ compressionLevel: 9 }).toBuffer();
}
