// @onnx-ddpm/sampler: the runtime-agnostic reverse loop (browser-safe: no node:*, no runtime imports).
export * from './core/eps-model.js';
export * from './core/eps-model-contract.js';
export * from './core/errors.js';
export * from './core/img2img.js';
export * from './core/inpaint.js';
export * from './core/interpolate.js';
export * from './core/invert.js';
export * from './core/model-metadata.js';
export * from './core/sample.js';
export * from './io/npy.js';
export * from './io/npy-noise.js';
export * from './io/shard.js';
export * from './io/scatter-strip.js';
export * from './io/scatter-svg.js';
export * from './io/svg-text.js';
