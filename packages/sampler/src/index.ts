// @onnx-ddpm/sampler: the runtime-agnostic reverse loop (browser-safe: no node:*, no runtime imports).
// Exports what other packages use; the runtime adapters are in ./node and ./web.
export type { DenoiserInfo, DenoiserModel } from './core/denoiser.js';
export type { DenoiserBindingOptions } from './core/denoiser-contract.js';
export { NonFiniteError, SamplerError } from './core/errors.js';
export { img2imgStart } from './core/img2img.js';
export type { Inpainting } from './core/inpaint.js';
export { type InterpolateOptions, type InterpolationEnd, type InterpolationPhase, interpolate, interpolateLatents } from './core/interpolate.js';
export { type InvertOptions, invert, psnr, reconstruct } from './core/invert.js';
export { type JsonText, type ModelSource, ModelSourceError, type ModelSourceOptions, readModelBytes } from './core/model-source.js';
export { type SampleEditOptions, type SampleOptions, type SampleResult, type SampleStepEvent, type SampleTimings, sample } from './core/sample.js';
export type { TrajectorySettings } from './core/trajectory.js';
export {
  bytesToItem,
  checkImageItemShape,
  checkMaskSize,
  type DecodedImageInfo,
  describeImage,
  ImageShapeError,
  imageFit,
  isGrayPixels,
  maskFromBytes,
} from './io/image-fit.js';
export { imageStripPicture, type StripPicture, type StripRow } from './io/image-strip-picture.js';
export { type InterpolationStrip, interpolationStrip } from './io/interpolation-strip.js';
export { decodeNpy, encodeNpy, type NpyArray, NpyError } from './io/npy.js';
export { NpyNoiseSource } from './io/npy-noise.js';
export { scatterStripSvg } from './io/scatter-strip.js';
export { niceStep, type ScatterOptions, scatterSvg, tickLabel, ticksIn } from './io/scatter-svg.js';
export { parseShardMetadata, parseShardSpec, planMerge, SHARD_FORMAT, type ShardMetadata, shardRange, shardSidecarPath } from './io/shard.js';
export { escapeXml } from './io/svg-text.js';
