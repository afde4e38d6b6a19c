import type * as tf from '@tensorflow/tfjs-core';
import { access } from './float-access.js';
import { type Floats, type GroupNormShape, groupNormBackward, groupNormForward } from './group-norm-math.js';

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

/** Fused GroupNorm forward (inputs x, gamma, beta → y, mean, rstd) for a JS/wasm backend. */
export function groupNormKernel(backendName: 'wasm' | 'cpu'): tf.KernelConfig {
  return {
    kernelName: GROUP_NORM_KERNEL,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { groups, epsilon } = attrs as unknown as GroupNormAttrs;
      const x = inputs['x']!;
      const s = shapeOf(x, groups);
      const mem = access(backendName, backend);
      const out = mem.outputs([x.shape, [s.items, groups], [s.items, groups]]);
      const [y, mean, rstd] = out.floats() as [Floats, Floats, Floats];
      groupNormForward(mem.input(x), mem.input(inputs['gamma']!), mem.input(inputs['beta']!), s, epsilon, y, mean, rstd);
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
      const mem = access(backendName, backend);
      const out = mem.outputs([x.shape, [s.channels], [s.channels]]);
      const [dx, dGammaOut, dBetaOut] = out.floats() as [Floats, Floats, Floats];
      const dGamma = new Float64Array(s.channels);
      const dBeta = new Float64Array(s.channels);
      const input = (name: string) => mem.input(inputs[name]!);
      groupNormBackward(input('dy'), input('x'), input('gamma'), input('mean'), input('rstd'), s, dx, dGamma, dBeta);
      dGammaOut.data.set(dGamma, dGammaOut.offset);
      dBetaOut.data.set(dBeta, dBetaOut.offset);
      return out.infos;
    },
  };
}
