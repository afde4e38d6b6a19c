/**
 * Spherical linear interpolation of two latents x_T (Shoemake 1985; the interpolation of DDIM's
 * latents, Song et al. 2021, §5.3): slerp(a, b, α) = sin((1 − α)θ)/sin θ · a + sin(αθ)/sin θ · b with
 * θ = arccos(a·b / (|a| |b|)). Gaussian latents keep their norm along the path, which a straight line
 * would shrink. Nearly parallel latents (sin θ < 1e-7) fall back to the straight line. Uses this
 * package's own sin/cos (θ by bisection on cos), so every JS engine gives the same bits.
 */
import { cos, sin } from './elementary.js';

/** arccos(c) for c in [−1, 1]: bisection on the decreasing cos over [0, π] to double precision. */
function arccos(c: number): number {
  let lo = 0;
  let hi = Math.PI;
  for (let i = 0; i < 64 && hi - lo > 0; i++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (cos(mid) > c) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export function slerp(a: Float32Array, b: Float32Array, alpha: number, out = new Float32Array(a.length)): Float32Array {
  if (b.length !== a.length || out.length !== a.length) {
    throw new RangeError(`slerp: a, b and out must have the same length (${a.length}, ${b.length}, ${out.length})`);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const theta = arccos(Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))));
  const sinTheta = sin(theta);
  const [wa, wb] = sinTheta < 1e-7 ? [1 - alpha, alpha] : [sin((1 - alpha) * theta) / sinTheta, sin(alpha * theta) / sinTheta];
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
  return out;
}
