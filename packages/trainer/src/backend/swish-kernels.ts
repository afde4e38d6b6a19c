import * as tf from '@tensorflow/tfjs-core';
import { access } from './float-access.js';

/** Kernel name of Swish's fused gradient (ours; no TF.js backend has it). */
export const SWISH_GRAD_KERNEL = 'OnnxDdpmSwishGrad';

/**
 * Gradient of y = x·σ(x) from dy, x and the forward's s = σ(x), in one pass for a JS/wasm backend:
 * dx = dy·(s + x·s·(1 − s)) = dy·s·(1 + x·(1 − s)). TF.js runs it as 6 kernels (two Multiply
 * gradients, Sigmoid's gradient, the sum of both paths).
 */
export function swishGradKernel(backendName: 'wasm' | 'cpu'): tf.KernelConfig {
  return {
    kernelName: SWISH_GRAD_KERNEL,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs['x']!;
      for (const name of ['dy', 'x', 's']) {
        const t = inputs[name]!;
        if (t.dtype !== 'float32' || !tf.util.arraysEqual(t.shape, x.shape)) {
          throw new Error(`${SWISH_GRAD_KERNEL}: expected float32 ${name} of shape [${x.shape}], got ${t.dtype} [${t.shape}]`);
        }
      }
      const mem = access(backendName, backend);
      const out = mem.outputs([x.shape]);
      const [dx] = out.floats();
      const dy = mem.input(inputs['dy']!);
      const xs = mem.input(x);
      const s = mem.input(inputs['s']!);
      const dyd = dy.data;
      const xd = xs.data;
      const sd = s.data;
      const dxd = dx!.data;
      for (let i = 0, size = tf.util.sizeFromShape(x.shape); i < size; i++) {
        const si = sd[s.offset + i]!;
        dxd[dx!.offset + i] = dyd[dy.offset + i]! * si * (1 + xd[xs.offset + i]! * (1 - si));
      }
      return out.infos;
    },
  };
}
