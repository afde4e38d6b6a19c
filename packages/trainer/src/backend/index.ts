export { activateBackend, type Attempt, type PortableBackendName } from './activate.js';
export { type KernelPatchedBackend, registerTrainingKernels } from './training-kernels.js';
export { ensureGradients } from './gradients.js';
export { fusedGroupNorm, fusedGroupNormAvailable } from './group-norm-op.js';
export { fusedSwish, fusedSwishAvailable } from './swish-op.js';
export { type BlockRow, KernelProfiler, kernelFlops, type KernelRow, OUTSIDE_BLOCKS } from './kernel-profile.js';
export {
  activateWebgpu,
  adapterLabel,
  requestWebgpuAdapter,
  summarizeAdapter,
  type WebgpuAdapterLike,
  type WebgpuAdapterSummary,
} from './webgpu.js';
