import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './as-tensor.js';
import { heapOffset, heapView, multiplyInHeap, releaseView, type WasmBackendMemory } from './wasm-heap.js';

interface BatchMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * The wasm backend multiplies with XNNPACK only for untransposed operands with batch 1; otherwise it
 * falls back to a scalar loop that is 10–25× slower. This wraps the stock kernel: transposed operands
 * are transposed explicitly first (a cheap copy), and batched products run as one XNNPACK GEMM per
 * batch item on views of the operands (no copies).
 */
export function transposeFreeBatchMatMulKernel(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
      const a = asTensor(inputs['a']);
      const b = asTensor(inputs['b']);
      const batches = Math.max(batchSize(a), batchSize(b));
      const plain = !transposeA && !transposeB;
      if (plain && batches === 1) return stock.kernelFunc({ inputs, attrs, backend });
      return tf.tidy(() => {
        const a2 = transposeA ? swapLastTwo(a) : a;
        const b2 = transposeB ? swapLastTwo(b) : b;
        if (batches > 1 && a2.dtype === 'float32' && b2.dtype === 'float32') {
          return tf.engine().makeTensorFromTensorInfo(batchedProduct(a2, b2, batches, backend as unknown as WasmBackendMemory));
        }
        const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
        const out = stock.kernelFunc({ inputs: { a: a2, b: b2 }, attrs: plainAttrs, backend }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(out);
      });
    },
  };
}

function batchSize(x: tf.Tensor): number {
  return tf.util.sizeFromShape(x.shape.slice(0, -2));
}

/** out[i] = a[i]·b[i] for untransposed [.., M, K]·[.., K, N]; an operand with batch 1 is broadcast. */
function batchedProduct(a: tf.Tensor, b: tf.Tensor, batches: number, backend: WasmBackendMemory): tf.TensorInfo {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const aBase = heapOffset(backend, a);
  const bBase = heapOffset(backend, b);
  const outBase = heapOffset(backend, out);
  const aStep = batchSize(a) === 1 ? 0 : 4 * m * k;
  const bStep = batchSize(b) === 1 ? 0 : 4 * k * n;
  for (let i = 0; i < batches; i++) {
    const av = heapView(backend, aBase + i * aStep, m, k);
    const bv = heapView(backend, bBase + i * bStep, k, n);
    const ov = heapView(backend, outBase + i * 4 * m * n, m, n);
    multiplyInHeap(backend, av, bv, ov, m, k, n);
    releaseView(backend, av);
    releaseView(backend, bv);
    releaseView(backend, ov);
  }
  return out;
}

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}
