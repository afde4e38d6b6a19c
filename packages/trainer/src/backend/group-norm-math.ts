/** One NHWC tensor's floats: `data[offset + (n·positions + p)·channels + c]`. */
export interface Floats {
  data: Float32Array;
  offset: number;
}

/** Shape of a GroupNorm: items, spatial positions per item, channels, groups. */
export interface GroupNormShape {
  items: number;
  positions: number;
  channels: number;
  groups: number;
}

/** The two kinds of pass the GroupNorm kernels make over a tensor (JS loops here; SIMD on wasm, see group-norm-simd.ts). */
export interface GroupNormPasses {
  /** Per-channel Σ_p a[n, p, c] into sumA and Σ_p a·b (a·a when `b` is null) into sumAB, float64, in position order. */
  channelSums(a: Floats, b: Floats | null, s: GroupNormShape, n: number, sumA: Float64Array, sumAB: Float64Array): void;
  /** out[n, p, c] = a[n, p, c]·scale[c] + b[n, p, c]·bScale[c] + shift[c] for item n (`b` optional). */
  affinePass(
    a: Floats,
    scale: Float64Array,
    b: Floats | null,
    bScale: Float64Array,
    shift: Float64Array,
    out: Floats,
    s: GroupNormShape,
    n: number,
  ): void;
}

/** Positions per tile: a tile of an item (TILE × channels floats) stays in L1 across the channel loop. */
const TILE = 32;

/**
 * Per-channel Σ_p a[n, p, c] and Σ_p a·b (a·a without `b`) of item n, in float64. Tile by tile
 * of positions, one channel at a time with register accumulators (each channel still sums over p
 * in order, so the result does not depend on the tile size).
 */
function channelSums(a: Floats, b: Floats | null, s: GroupNormShape, n: number, sumA: Float64Array, sumAB: Float64Array): void {
  const c = s.channels;
  const start = n * s.positions * c;
  const ad = a.data;
  sumA.fill(0);
  sumAB.fill(0);
  for (let p0 = 0; p0 < s.positions; p0 += TILE) {
    const first = start + p0 * c;
    const stop = a.offset + start + Math.min(s.positions, p0 + TILE) * c;
    for (let k = 0; k < c; k++) {
      let sa = sumA[k]!;
      let sab = sumAB[k]!;
      if (b == null) {
        for (let i = a.offset + first + k; i < stop; i += c) {
          const v = ad[i]!;
          sa += v;
          sab += v * v;
        }
      } else {
        const bd = b.data;
        for (let i = a.offset + first + k, j = b.offset + first + k; i < stop; i += c, j += c) {
          const v = ad[i]!;
          sa += v;
          sab += v * bd[j]!;
        }
      }
      sumA[k] = sa;
      sumAB[k] = sab;
    }
  }
}

/** GroupNormPasses.affinePass tile by tile, channel by channel. */
const affinePass: GroupNormPasses['affinePass'] = (a, scale, b, bScale, shift, out, s, n) => {
  const c = s.channels;
  const start = n * s.positions * c;
  const ad = a.data;
  const od = out.data;
  for (let p0 = 0; p0 < s.positions; p0 += TILE) {
    const first = p0 * c;
    const end = Math.min(s.positions, p0 + TILE) * c;
    for (let k = 0; k < c; k++) {
      const sk = scale[k]!;
      const tk = shift[k]!;
      const ia = a.offset + start + k;
      const io = out.offset + start + k;
      if (b == null) {
        for (let i = first; i < end; i += c) od[io + i] = ad[ia + i]! * sk + tk;
      } else {
        const bd = b.data;
        const bk = bScale[k]!;
        const ib = b.offset + start + k;
        for (let i = first; i < end; i += c) od[io + i] = ad[ia + i]! * sk + bd[ib + i]! * bk + tk;
      }
    }
  }
};

/** The passes as JS loops over float32 arrays (any backend). */
export const JS_PASSES: GroupNormPasses = { channelSums, affinePass };

/** Per-channel float64 arrays of one item: the sums of the first pass and the coefficients of the second. */
interface ItemChannels {
  /** Σ_p a[n, p, c]. */
  sumA: Float64Array;
  /** Σ_p a·b (a·a without `b`). */
  sumAB: Float64Array;
  aScale: Float64Array;
  bScale: Float64Array;
  shift: Float64Array;
}

/**
 * The two passes per item n that both directions make: channel sums of a (and a·b), then
 * out = a·aScale + b·bScale + shift, with the coefficients that `coefficients` sets from the sums for
 * each group g's channels [k0, k1) (`count` = positions·channels per group: the values in a group).
 */
function groupPasses(
  a: Floats,
  b: Floats | null,
  out: Floats,
  s: GroupNormShape,
  passes: GroupNormPasses,
  coefficients: (n: number, g: number, k0: number, k1: number, count: number, ch: ItemChannels) => void,
): void {
  const c = s.channels;
  const per = c / s.groups;
  const count = s.positions * per;
  const ch: ItemChannels = {
    sumA: new Float64Array(c),
    sumAB: new Float64Array(c),
    aScale: new Float64Array(c),
    bScale: new Float64Array(c),
    shift: new Float64Array(c),
  };
  for (let n = 0; n < s.items; n++) {
    passes.channelSums(a, b, s, n, ch.sumA, ch.sumAB);
    for (let g = 0; g < s.groups; g++) coefficients(n, g, g * per, (g + 1) * per, count, ch);
    passes.affinePass(a, ch.aScale, b, ch.bScale, ch.shift, out, s, n);
  }
}

/**
 * y = γ·(x − μ)·r + β per (item, group), r = 1/√(σ² + ε), with μ, σ² over the group's positions and
 * channels (two passes over x: float64 Σx and Σx², then y). Writes mean and rstd [items, groups].
 */
export function groupNormForward(
  x: Floats,
  gamma: Floats,
  beta: Floats,
  s: GroupNormShape,
  epsilon: number,
  y: Floats,
  mean: Floats,
  rstd: Floats,
  passes: GroupNormPasses = JS_PASSES,
): void {
  groupPasses(x, null, y, s, passes, (n, g, k0, k1, count, { sumA: sumX, sumAB: sumXX, aScale: scale, shift }) => {
    let sx = 0;
    let sxx = 0;
    for (let k = k0; k < k1; k++) {
      sx += sumX[k]!;
      sxx += sumXX[k]!;
    }
    const mu = sx / count;
    const r = 1 / Math.sqrt(Math.max(0, sxx / count - mu * mu) + epsilon);
    mean.data[mean.offset + n * s.groups + g] = mu;
    rstd.data[rstd.offset + n * s.groups + g] = r;
    for (let k = k0; k < k1; k++) {
      scale[k] = gamma.data[gamma.offset + k]! * r;
      shift[k] = beta.data[beta.offset + k]! - mu * scale[k]!;
    }
  });
}

/**
 * Gradients of groupNormForward from dy, x and the saved μ, r (two passes over dy and x):
 * x̂ = (x − μ)·r, dx̂ = γ·dy, dx = r·(dx̂ − mean_g(dx̂) − x̂·mean_g(dx̂·x̂)), dγ = Σ dy·x̂, dβ = Σ dy.
 * dγ and dβ are accumulated into the float64 arrays given.
 */
export function groupNormBackward(
  dy: Floats,
  x: Floats,
  gamma: Floats,
  mean: Floats,
  rstd: Floats,
  s: GroupNormShape,
  dx: Floats,
  dGamma: Float64Array,
  dBeta: Float64Array,
  passes: GroupNormPasses = JS_PASSES,
): void {
  groupPasses(dy, x, dx, s, passes, (n, g, k0, k1, count, { sumA: sumDy, sumAB: sumDyX, aScale: dyScale, bScale: xScale, shift }) => {
    const mu = mean.data[mean.offset + n * s.groups + g]!;
    const r = rstd.data[rstd.offset + n * s.groups + g]!;
    let meanDxh = 0; // mean_g(dx̂)
    let meanDxhXh = 0; // mean_g(dx̂·x̂)
    for (let k = k0; k < k1; k++) {
      const gk = gamma.data[gamma.offset + k]!;
      const dyXh = r * (sumDyX[k]! - mu * sumDy[k]!); // Σ_p dy·x̂
      dBeta[k]! += sumDy[k]!;
      dGamma[k]! += dyXh;
      meanDxh += gk * sumDy[k]!;
      meanDxhXh += gk * dyXh;
    }
    meanDxh /= count;
    meanDxhXh /= count;
    // dx = dy·(r·γ) + x·(−r²·m₂) + r·(μ·r·m₂ − m₁)
    for (let k = k0; k < k1; k++) {
      dyScale[k] = r * gamma.data[gamma.offset + k]!;
      xScale[k] = -r * r * meanDxhXh;
      shift[k] = r * (mu * r * meanDxhXh - meanDxh);
    }
  });
}
