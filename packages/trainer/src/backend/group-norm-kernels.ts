import type * as tf from '@tensorflow/tfjs-core';
import { access } from './float-access.js';
import { type Floats, type GroupNormShape, groupNormBackward, groupNormForward } from './group-norm-math.js';
import { simdGroupNormPasses } from './group-norm-simd.js';
import type { WasmBackendMemory } from './wasm-heap.js';

/** Kernel names of the fused GroupNorm (ours; no TF.js backend has them). */
export const GROUP_NORM_KERNEL = 'OnnxDdpmGroupNorm';
export const GROUP_NORM_GRAD_KERNEL = 'OnnxDdpmGroupNormGrad';

export interface GroupNormAttrs {
  groups: number;
  epsilon: number;
}

function shapeOf(x: tf.TensorInfo, groups: number): GroupNormShape {
  if (x.shape.length !== 4 || x.dtype !== 'float32') throw new Error(`${GROUP_NORM_KERNEL}: expected float32 NHWC, got ${x.dtype} [${x.shape}]`);
  const [items, h, w, channels] = x.shape as [number, number, number, number];
  if (channels % groups !== 0) throw new Error(`${GROUP_NORM_KERNEL}: ${channels} channels are not divisible by ${groups} groups`);
  return { items, positions: h * w, channels, groups };
}

/** On wasm, the passes as SIMD loops (allocated before any heap array is taken); JS loops elsewhere. */
function simdPasses(backendName: 'wasm' | 'cpu', backend: unknown, channels: number) {
  return backendName === 'wasm' ? simdGroupNormPasses(backend as WasmBackendMemory, channels) : null;
}

/** Fused GroupNorm forward (inputs x, gamma, beta → y, mean, rstd) for a JS/wasm backend. */
export function groupNormKernel(backendName: 'wasm' | 'cpu'): tf.KernelConfig {
  return {
    kernelName: GROUP_NORM_KERNEL,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { groups, epsilon } = attrs as unknown as GroupNormAttrs;
      const x = inputs['x']!;
      const s = shapeOf(x, groups);
      const simd = simdPasses(backendName, backend, s.channels);
      const mem = access(backendName, backend);
      const out = mem.outputs([x.shape, [s.items, groups], [s.items, groups]]);
      const [y, mean, rstd] = out.floats() as [Floats, Floats, Floats];
      try {
        groupNormForward(mem.input(x), mem.input(inputs['gamma']!), mem.input(inputs['beta']!), s, epsilon, y, mean, rstd, simd?.passes);
      } finally {
        simd?.release();
      }
      return out.infos;
    },
  };
}

/** Fused GroupNorm gradient (inputs dy, x, gamma, mean, rstd → dx, dgamma, dbeta) for a JS/wasm backend. */
export function groupNormGradKernel(backendName: 'wasm' | 'cpu'): tf.KernelConfig {
  return {
    kernelName: GROUP_NORM_GRAD_KERNEL,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { groups } = attrs as unknown as GroupNormAttrs;
      const x = inputs['x']!;
      const s = shapeOf(x, groups);
      const simd = simdPasses(backendName, backend, s.channels);
      const mem = access(backendName, backend);
      const out = mem.outputs([x.shape, [s.channels], [s.channels]]);
      const [dx, dGammaOut, dBetaOut] = out.floats() as [Floats, Floats, Floats];
      const dGamma = new Float64Array(s.channels);
      const dBeta = new Float64Array(s.channels);
      const input = (name: string) => mem.input(inputs[name]!);
      try {
        groupNormBackward(input('dy'), input('x'), input('gamma'), input('mean'), input('rstd'), s, dx, dGamma, dBeta, simd?.passes);
      } finally {
        simd?.release();
      }
      dGammaOut.data.set(dGamma, dGammaOut.offset);
      dBetaOut.data.set(dBeta, dBetaOut.offset);
      return out.infos;
    },
  };
}
