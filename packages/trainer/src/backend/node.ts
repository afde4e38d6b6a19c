export {
  BACKEND_PREFERENCES,
  type BackendChoice,
  type BackendPreference,
  type BackendProbe,
  BackendUnavailableError,
  probeBackends,
  selectBackend,
} from './select.js';
export {
  type DawnAdapter,
  installDawnGpu,
  probeDawnAdapter,
  releaseWebgpu,
  SWIFTSHADER_ENV,
  swiftshaderRelaunchEnv,
  webgpuRelaunchEnv,
} from './webgpu-node.js';
