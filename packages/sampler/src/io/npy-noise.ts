import type { NoiseSource } from '@onnx-ddpm/schedule';
import { NpyError, type NpyArray } from './npy.js';

/**
 * Noise read from a .npy array of shape [steps + 1, ...itemShape]: frame 0 is x_T and frame k
 * is the z of the k-th reverse step, so a trajectory can be replayed bit for bit against
 * another implementation (e.g. diffusers fed the same array).
 */
export class NpyNoiseSource implements NoiseSource {
  private readonly data: Float32Array;
  private readonly frameSize: number;
  private readonly frames: number;
  private readonly itemSize: number;

  /** `itemShape` is the whole batch's shape, e.g. [N, C, H, W] or [N, D]. */
  constructor(npy: NpyArray, expected: { steps: number; itemShape: readonly number[] }) {
    const want = [expected.steps + 1, ...expected.itemShape];
    const same = npy.shape.length === want.length && npy.shape.every((d, i) => d === want[i]);
    if (!same) {
      throw new NpyError(
        `noise array has shape [${npy.shape.join(', ')}] but this run needs [${want.join(', ')}] ` +
          `(steps + 1 = ${expected.steps + 1} frames of [${expected.itemShape.join(', ')}]: x_T then one z per step)`,
      );
    }
    this.data = npy.data;
    this.frames = want[0]!;
    this.frameSize = expected.itemShape.reduce((a, b) => a * b, 1);
    this.itemSize = this.frameSize / (expected.itemShape[0] || 1);
  }

  /** Elements [offset, offset + out.length) of frame `index`: whole items, a batch or shard of the frame's. */
  fill(index: number, out: Float32Array, offset = 0): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.frames) {
      throw new RangeError(`noise frame ${index} requested but the .npy array has frames 0..${this.frames - 1}`);
    }
    const wholeItems = offset % this.itemSize === 0 && out.length % this.itemSize === 0;
    if (!Number.isInteger(offset) || offset < 0 || offset + out.length > this.frameSize || !wholeItems) {
      throw new RangeError(
        `noise frame holds ${this.frameSize} values (items of ${this.itemSize}) but the caller's buffer has ${out.length}` +
          (offset === 0 ? '' : ` at offset ${offset}`),
      );
    }
    const start = index * this.frameSize + offset;
    out.set(this.data.subarray(start, start + out.length));
  }
}
