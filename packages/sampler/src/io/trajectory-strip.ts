import { encodeImageStrip } from './image-strip.js';

/** One recorded point of a reverse trajectory: x_t and the model's x̂_0 at timestep t. */
export interface TrajectoryFrame {
  t: number;
  xt: Float32Array;
  x0: Float32Array;
}

/** Indices of `count` frames spread evenly over `total`, always including the first and last. */
export function evenlySpaced(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  if (count === 1) return [total - 1];
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(Math.round((i * (total - 1)) / (count - 1)));
  return [...picked];
}

/**
 * The reverse process of the first item of a batch as a PNG: row 1 x_t, row 2 x̂_0, at up to
 * `columns` (default 10) evenly spaced recorded steps, each column labelled with its t.
 * `itemShape` is the batch's [N, C, H, W] (or one item's [C, H, W]).
 */
export async function encodeTrajectoryStrip(
  frames: readonly TrajectoryFrame[],
  itemShape: readonly number[],
  opts: { columns?: number; scale?: number } = {},
): Promise<Buffer> {
  if (frames.length === 0) throw new Error('encodeTrajectoryStrip: no frames were recorded');
  const chw = itemShape.length === 4 ? itemShape.slice(1) : [...itemShape];
  if (chw.length !== 3) throw new Error(`encodeTrajectoryStrip: itemShape must be [N, C, H, W] or [C, H, W], got [${itemShape.join(', ')}]`);
  const size = chw[0]! * chw[1]! * chw[2]!;
  const columns = opts.columns ?? 10;
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`columns must be an integer ≥ 1, got ${columns}`);
  const picked = evenlySpaced(frames.length, columns).map((i) => frames[i]!);
  for (const f of picked) {
    if (f.xt.length < size || f.x0.length < size) {
      throw new Error(`trajectory frame t=${f.t} has ${Math.min(f.xt.length, f.x0.length)} values, one item of [${chw.join(', ')}] needs ${size}`);
    }
  }
  return encodeImageStrip(
    [
      { label: 'xₜ', images: picked.map((f) => f.xt.subarray(0, size)) },
      { label: 'x̂₀', images: picked.map((f) => f.x0.subarray(0, size)) },
    ],
    picked.map((f) => `t=${f.t}`),
    chw,
    opts.scale === undefined ? {} : { scale: opts.scale },
  );
}
