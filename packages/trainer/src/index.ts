// The trainer's core: runs wherever JavaScript and TF.js do (a browser or Node). Files, worker threads,
// sharp, onnxruntime-node and checkpoint folders are in the Node entry, ./node.ts.
export * from './backend/index.js';
export * from './data/index.js';
export * from './model/index.js';
export * from './train/index.js';
