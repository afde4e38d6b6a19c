import type { Dataset } from './dataset.js';
import { SeededRandom } from './random.js';

export const TOY_NAMES = ['s_curve', 'swiss_roll', 'moons', 'gmm'] as const;
export type ToyName = (typeof TOY_NAMES)[number];

type PointMaker = (rng: SeededRandom, i: number, count: number) => [number, number];

const makers: Record<ToyName, PointMaker> = {
  // 2-D view (x, z) of scikit-learn's make_s_curve: t ∈ [−3π/2, 3π/2].
  s_curve: (rng) => {
    const t = 3 * Math.PI * (rng.next() - 0.5);
    return [Math.sin(t) + 0.05 * rng.normal(), Math.sign(t) * (Math.cos(t) - 1) + 0.05 * rng.normal()];
  },
  // 2-D swiss roll: t ∈ [1.5π, 4.5π], (t cos t, t sin t).
  swiss_roll: (rng) => {
    const t = 1.5 * Math.PI * (1 + 2 * rng.next());
    return [t * Math.cos(t) + 0.3 * rng.normal(), t * Math.sin(t) + 0.3 * rng.normal()];
  },
  // Two interleaved half circles, alternating between the upper and the lower one.
  moons: (rng, i) => {
    const a = Math.PI * rng.next();
    const upper = i % 2 === 0;
    const x = upper ? Math.cos(a) : 1 - Math.cos(a);
    const y = upper ? Math.sin(a) : 0.5 - Math.sin(a);
    return [x + 0.05 * rng.normal(), y + 0.05 * rng.normal()];
  },
  // Eight Gaussians evenly spaced on a circle.
  gmm: (rng) => {
    const k = rng.int(8);
    const a = (2 * Math.PI * k) / 8;
    return [2 * Math.cos(a) + 0.1 * rng.normal(), 2 * Math.sin(a) + 0.1 * rng.normal()];
  },
};

/** A seeded 2-D toy point cloud, centred and scaled to unit variance per axis. */
export function makeToyDataset(spec: string, name: ToyName, seed: number, count: number): Dataset {
  const rng = new SeededRandom(seed);
  const points = new Float32Array(count * 2);
  const raw = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    const [x, y] = makers[name](rng, i, count);
    raw[2 * i] = x;
    raw[2 * i + 1] = y;
  }
  for (let axis = 0; axis < 2; axis++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += raw[2 * i + axis]!;
    mean /= count;
    let variance = 0;
    for (let i = 0; i < count; i++) variance += (raw[2 * i + axis]! - mean) ** 2;
    const std = Math.sqrt(variance / count) || 1;
    for (let i = 0; i < count; i++) points[2 * i + axis] = (raw[2 * i + axis]! - mean) / std;
  }
  return {
    spec,
    kind: 'points',
    count,
    itemShape: [2],
    numClasses: 0,
    classNames: [],
    source: `generated ${name} (seed ${seed}, ${count} points)`,
    fillBatch(indices, x0, labels) {
      for (let i = 0; i < indices.length; i++) {
        x0[2 * i] = points[2 * indices[i]!]!;
        x0[2 * i + 1] = points[2 * indices[i]! + 1]!;
        if (labels) labels[i] = 0;
      }
    },
  };
}
