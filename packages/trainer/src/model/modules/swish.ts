import * as tf from '@tensorflow/tfjs-core';
import { fusedSwish, fusedSwishAvailable } from '../../backend/swish-op.js';
import type { OnnxEmitter } from '../emitter.js';

/** Swish / SiLU: x·σ(x) (as torch.onnx writes SiLU at opset 17: Sigmoid → Mul); one-pass gradient where the backend has it. */
export function swish<T extends tf.Tensor>(x: T): T {
  if (fusedSwishAvailable()) return fusedSwish(x);
  return tf.mul(x, tf.sigmoid(x));
}

/** Emits Swish as Sigmoid → Mul. */
export function emitSwish(e: OnnxEmitter, x: string): string {
  return e.op('Mul', [x, e.op('Sigmoid', [x])]);
}
