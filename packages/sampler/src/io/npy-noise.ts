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
  }

  fill(index: number, out: Float32Array): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.frames) {
      throw new RangeError(`noise frame ${index} requested but the .npy array has frames 0..${this.frames - 1}`);
    }
    if (out.length !== this.frameSize) {
      throw new RangeError(`noise frame holds ${this.frameSize} values but the caller's buffer has ${out.length}`);
    }
    out.set(this.data.subarray(index * this.frameSize, (index + 1) * this.frameSize));
  }
}
