import type { RuntimeId } from './runtime.js';

/** docs/DESIGN.md, "Parity tolerances (float32)". */
export const TOLERANCES = {
  /** TF.js vs ORT-node CPU, and ORT-node CPU vs ORT-web wasm: one model call, max abs. */
  cpuCall: 1e-4,
  /** ORT-web WebGPU vs wasm: one model call, max abs. */
  gpuCall: 1e-3,
  /** Final images of a same-seed trajectory across runtimes, PSNR in dB. */
  trajectoryPsnrDb: 40,
} as const;

/** docs/DESIGN.md, "Training-step parity": one training step on two TF.js backends, relative differences. */
export const TRAIN_TOLERANCES = {
  /** |L_a − L_b| / max(|L_a|, |L_b|). */
  loss: 1e-4,
  /** Worst parameter's max|g_a − g_b| / max(max|g_a|, max|g_b|). */
  gradient: 1e-4,
  /** Same measure on the weight change of the Adam step, over elements whose gradient is not within the gradient bound of 0. */
  update: 1e-4,
} as const;

/** Runtimes that compute on a GPU execution provider (their kernels may reorder float sums). */
const GPU_RUNTIMES: readonly RuntimeId[] = ['ort-node-webgpu', 'ort-node-cuda', 'chromium-webgpu'];

/**
 * Bound on one model call's max abs difference for a pair: DESIGN.md's 1e-4 between CPU-class
 * runtimes (ORT CPU, wasm, TF.js), its 1e-3 as soon as a GPU provider is in the pair.
 */
export function callBound(a: RuntimeId, b: RuntimeId): number {
  return GPU_RUNTIMES.includes(a) || GPU_RUNTIMES.includes(b) ? TOLERANCES.gpuCall : TOLERANCES.cpuCall;
}
