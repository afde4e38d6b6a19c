import * as tf from '@tensorflow/tfjs-core';
import { type Floats, type GroupNormShape, groupNormBackward, groupNormForward } from './group-norm-math.js';
import { heapIndex, type WasmBackendMemory } from './wasm-heap.js';

/** Kernel names of the fused GroupNorm (ours; no TF.js backend has them). */
export const GROUP_NORM_KERNEL = 'OnnxDdpmGroupNorm';
export const GROUP_NORM_GRAD_KERNEL = 'OnnxDdpmGroupNormGrad';

export interface GroupNormAttrs {
  groups: number;
  epsilon: number;
}

/** Reads inputs and allocates outputs as float32 arrays of one JS/wasm backend. */
interface FloatAccess {
  /** Allocates every output first (a wasm allocation may move the heap), then hands out arrays. */
  outputs(shapes: number[][]): { infos: tf.TensorInfo[]; floats: () => Floats[] };
  input(info: tf.TensorInfo): Floats;
}

function wasmAccess(backend: WasmBackendMemory): FloatAccess {
  return {
    outputs(shapes) {
      const infos = shapes.map((shape) => backend.makeOutput(shape, 'float32'));
      return { infos, floats: () => infos.map((info) => this.input(info)) };
    },
    input: (info) => ({ data: backend.wasm.HEAPF32, offset: heapIndex(backend, info) }),
  };
}

interface CpuBackendMemory {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

function cpuAccess(backend: CpuBackendMemory): FloatAccess {
  return {
    outputs(shapes) {
      const arrays = shapes.map((shape) => new Float32Array(tf.util.sizeFromShape(shape)));
      const infos = shapes.map((shape, i) => backend.makeTensorInfo(shape, 'float32', arrays[i]!));
      return { infos, floats: () => arrays.map((data) => ({ data, offset: 0 })) };
    },
    input: (info) => ({ data: backend.data.get(info.dataId).values as Float32Array, offset: 0 }),
  };
}

function access(backendName: 'wasm' | 'cpu', backend: unknown): FloatAccess {
  return backendName === 'wasm' ? wasmAccess(backend as WasmBackendMemory) : cpuAccess(backend as CpuBackendMemory);
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
