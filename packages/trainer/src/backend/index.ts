export {
  type BackendChoice,
  type BackendPreference,
  type BackendProbe,
  probeBackends,
  selectBackend,
} from './select.js';
export { type KernelPatchedBackend, registerTrainingKernels } from './training-kernels.js';
export { ensureGradients } from './gradients.js';
export { fusedGroupNorm, fusedGroupNormAvailable } from './group-norm-op.js';
export { fusedSwish, fusedSwishAvailable } from './swish-op.js';
export { type BlockRow, KernelProfiler, kernelFlops, type KernelRow, OUTSIDE_BLOCKS } from './kernel-profile.js';
