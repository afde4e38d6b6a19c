import { runOnOrtNode } from './ort-node.js';
import type { ParityRuntime } from './runtime.js';

/** Skipped with onnxruntime-node's reason where its CUDA provider is not installed or finds no GPU. */
export const ortNodeCuda: ParityRuntime = {
  id: 'ort-node-cuda',
  label: 'ORT-node CUDA',
  run: (job) => runOnOrtNode(job, 'cuda'),
};
