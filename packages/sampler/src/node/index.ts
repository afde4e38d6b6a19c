// @onnx-ddpm/sampler/node: the onnxruntime-node adapter, model files and image files (Node only).
export * from '../index.js';
export { encodeImageGrid, encodeImages } from '../io/image-grid.js';
export { decodeImageRaster, decodeImageTensor, type ImageTensor, type LoadedImage, loadImageForModel, loadMaskImage } from '../io/image-read.js';
export { encodeImageStrip, encodeInterpolationStrip } from '../io/image-strip.js';
export { type MatmulBench, measureMatmulGflops } from '../io/matmul-bench-node.js';
export type { FlopCount } from '../io/model-flops.js';
export { measureModelFlops } from '../io/model-flops-node.js';
export { encodeScatterPng, encodeSvgPng } from '../io/scatter.js';
export { encodeTrajectoryStrip, type TrajectoryFrame } from '../io/trajectory-strip.js';
export { sampleOnDevice, sampleOrt } from '../ort/sample-on-device.js';
export { ExecutionProviderError } from '../ort/session.js';
export { loadModelSource, type ModelFileSource, readModelSummary, resolveModelFile } from './model-source.js';
export { OrtDenoiser, type OrtDenoiserOptions } from './ort-denoiser.js';
export {
  cudaProviderInstalled,
  createSessionWithFallback,
  type ExecutionProviderName,
  nodeSessionDefaults,
  ortVersions,
  type ProviderProbe,
  parseExecutionProviders,
  probeExecutionProviders,
} from './ort-execution-providers.js';
export { runtimeVersions } from './runtime-versions.js';
