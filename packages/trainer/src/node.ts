// The trainer in Node: the core (./index.ts) plus backend selection (tfjs-node, Dawn's WebGPU), dataset
// files, checkpoints, the training loop, data-parallel worker threads and the onnxruntime-node checks.
import './backend/node-esm-resolve.js';

export * from './index.js';
export * from './backend/node.js';
export * from './classifier/index.js';
export * from './data/node.js';
export * from './files/index.js';
export * from './model/node.js';
export * from './parallel/index.js';
export * from './train/node.js';
