import * as tf from '@tensorflow/tfjs-core';
import { transposeFreeBatchMatMulKernel } from './batch-matmul.js';
import { conv2dBackpropFilterKernel } from './conv-backprop-filter.js';
import { conv2dBackpropInputKernel } from './conv-backprop-input.js';
import { GROUP_NORM_GRAD_KERNEL, GROUP_NORM_KERNEL, groupNormGradKernel, groupNormKernel } from './group-norm-kernels.js';
import { SWISH_GRAD_KERNEL, swishGradKernel } from './swish-kernels.js';
import { wasmSharedCastKernel, wasmSharedIdentityKernel, wasmSplitVKernel } from './wasm-memory-kernels.js';
import { wasmMeanKernel, wasmSumKernel } from './wasm-reduce.js';

/** Backends whose gradient kernels this module replaces or adds. Never 'tensorflow'. */
export type KernelPatchedBackend = 'wasm' | 'cpu';

const patched = new Set<string>();

function stockKernel(name: string): tf.KernelConfig {
  const stock = tf.getKernel(name, 'wasm');
  if (stock == null) throw new Error(`wasm backend has no ${name} kernel registered`);
  return stock;
}

function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName) != null) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/**
 * Registers our training kernels on a JS/wasm backend (idempotent). Call after the backend has been
 * initialised (so stock kernels' setup has run):
 * - Conv2DBackpropFilter (wasm: missing; cpu: ~50× slower) from one forward Conv2D; on wasm from
 *   SIMD row products straight from x and dy (conv-backprop-filter-rows.ts);
 * - on wasm, GroupNorm's and Swish's gradient passes as SIMD loops (wasm-simd-kernels.ts);
 * - wasm Conv2DBackpropInput (a scalar loop) from stride-1 forward Conv2Ds per output phase;
 * - wasm BatchMatMul with transposed operands routed to the XNNPACK (untransposed) path;
 * - wasm Identity and same-dtype Cast sharing the input buffer instead of copying it;
 * - wasm SplitV as block copies inside the heap;
 * - wasm Sum and Mean over any axes as one JS pass over the heap;
 * - a fused GroupNorm forward and gradient (ours, see group-norm-op.ts) on both backends;
 * - Swish's gradient as one pass (ours, see swish-op.ts) on both backends.
 * Returns the names of the kernels registered.
 */
export function registerTrainingKernels(backendName: KernelPatchedBackend): string[] {
  const wasmNames = [tf.Conv2DBackpropInput, tf.BatchMatMul, tf.Identity, tf.Cast, tf.SplitV, tf.Sum, tf.Mean];
  if (!patched.has(backendName)) {
    replaceKernel(conv2dBackpropFilterKernel(backendName));
    replaceKernel(groupNormKernel(backendName));
    replaceKernel(groupNormGradKernel(backendName));
    replaceKernel(swishGradKernel(backendName));
    if (backendName === 'wasm') {
      replaceKernel(conv2dBackpropInputKernel(backendName));
      replaceKernel(transposeFreeBatchMatMulKernel(stockKernel(tf.BatchMatMul)));
      replaceKernel(wasmSharedIdentityKernel);
      replaceKernel(wasmSharedCastKernel(stockKernel(tf.Cast)));
      replaceKernel(wasmSplitVKernel);
      replaceKernel(wasmSumKernel(stockKernel(tf.Sum)));
      replaceKernel(wasmMeanKernel(stockKernel(tf.Mean)));
    }
    patched.add(backendName);
  }
  const shared = [tf.Conv2DBackpropFilter, GROUP_NORM_KERNEL, GROUP_NORM_GRAD_KERNEL, SWISH_GRAD_KERNEL];
  return backendName === 'wasm' ? [...shared, ...wasmNames] : shared;
}
