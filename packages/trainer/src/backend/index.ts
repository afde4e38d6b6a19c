export { activateBackend, type Attempt, type PortableBackendName } from './activate.js';
export { type KernelPatchedBackend, registerTrainingKernels } from './training-kernels.js';
export { ensureGradients } from './gradients.js';
export { fusedGroupNorm, fusedGroupNormAvailable } from './group-norm-op.js';
export {
  activateWebgpu,
  adapterLabel,
  requestWebgpuAdapter,
  summarizeAdapter,
  type WebgpuAdapterLike,
  type WebgpuAdapterSummary,
} from './webgpu.js';
