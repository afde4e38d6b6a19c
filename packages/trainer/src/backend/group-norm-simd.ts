import type { GroupNormPasses } from './group-norm-math.js';
import { heapOffset, type WasmBackendMemory } from './wasm-heap.js';
import { simdKernels } from './wasm-simd-kernels.js';

/**
 * GroupNorm's passes as SIMD loops over the wasm heap (same results as JS_PASSES, bit for bit), for
 * channel counts divisible by 4; null otherwise or without wasm SIMD. Allocates a scratch block for
 * the float64 sums and coefficients: create it before taking heap arrays (an allocation may grow the
 * heap), and release it after the kernel.
 */
export function simdGroupNormPasses(backend: WasmBackendMemory, channels: number): { passes: GroupNormPasses; release(): void } | null {
  const simd = simdKernels(backend);
  if (simd == null || channels % 4 !== 0) return null;
  // 2·C doubles of sums, then 3·C of coefficients (scale, bScale, shift).
  const scratch = backend.makeOutput([10 * channels], 'float32');
  const sums = heapOffset(backend, scratch);
  const release = () => backend.disposeData(scratch.dataId);
  if (sums % 8 !== 0) {
    release();
    return null;
  }
  const coef = sums + 16 * channels;
  const at = (floatOffset: number, n: number, positions: number) => 4 * (floatOffset + n * positions * channels);
  const passes: GroupNormPasses = {
    channelSums(a, b, s, n, sumA, sumAB) {
      const heap = backend.wasm.HEAPF64;
      heap.fill(0, sums / 8, sums / 8 + 2 * channels);
      simd.channelSums(at(a.offset, n, s.positions), at((b ?? a).offset, n, s.positions), s.positions, channels, sums);
      sumA.set(heap.subarray(sums / 8, sums / 8 + channels));
      sumAB.set(heap.subarray(sums / 8 + channels, sums / 8 + 2 * channels));
    },
    affinePass(a, scale, b, bScale, shift, out, s, n) {
      const heap = backend.wasm.HEAPF64;
      heap.set(scale, coef / 8);
      heap.set(bScale, coef / 8 + channels);
      heap.set(shift, coef / 8 + 2 * channels);
      const bAt = b == null ? null : at(b.offset, n, s.positions);
      simd.affine(at(a.offset, n, s.positions), bAt, s.positions, channels, coef, at(out.offset, n, s.positions));
    },
  };
  return { passes, release };
}
