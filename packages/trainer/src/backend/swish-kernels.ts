import * as tf from '@tensorflow/tfjs-core';
import { access } from './float-access.js';
import type { WasmBackendMemory } from './wasm-heap.js';
import { simdKernels } from './wasm-simd-kernels.js';

/** Kernel name of Swish's fused gradient (ours; no TF.js backend has it). */
export const SWISH_GRAD_KERNEL = 'OnnxDdpmSwishGrad';

/**
 * Gradient of y = x·σ(x) from dy, x and the forward's s = σ(x), in one pass for a JS/wasm backend:
 * dx = dy·(s + x·s·(1 − s)) = dy·s·(1 + x·(1 − s)). TF.js runs it as 6 kernels (two Multiply
 * gradients, Sigmoid's gradient, the sum of both paths). On wasm the loop runs as SIMD over the heap
 * (same results, see wasm-simd-kernels.ts).
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
      const size = tf.util.sizeFromShape(x.shape);
      let i = 0;
      const simd = backendName === 'wasm' ? simdKernels(backend as unknown as WasmBackendMemory) : null;
      if (simd != null) {
        i = size - (size % 4);
        simd.swishGrad(4 * dy.offset, 4 * xs.offset, 4 * s.offset, 4 * dx!.offset, i);
      }
      const dyd = dy.data;
      const xd = xs.data;
      const sd = s.data;
      const dxd = dx!.data;
      for (; i < size; i++) {
        const si = sd[s.offset + i]!;
        dxd[dx!.offset + i] = dyd[dy.offset + i]! * si * (1 + xd[xs.offset + i]! * (1 - si));
      }
      return out.infos;
    },
  };
}
