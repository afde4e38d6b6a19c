import { runOnOrtNode } from './ort-node.js';
import type { ParityRuntime } from './runtime.js';

export const ortNodeCpu: ParityRuntime = {
  id: 'ort-node-cpu',
  label: 'ORT-node CPU',
  run: (job) => runOnOrtNode(job, 'cpu'),
};
