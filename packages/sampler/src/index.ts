// @onnx-ddpm/sampler: the runtime-agnostic reverse loop (browser-safe: no node:*, no runtime imports).
export * from './core/eps-model.js';
export * from './core/eps-model-contract.js';
export * from './core/errors.js';
export * from './core/model-source.js';
export * from './core/sample.js';
export * from './io/npy.js';
export * from './io/npy-noise.js';
export * from './io/scatter-svg.js';
export * from './io/svg-text.js';
