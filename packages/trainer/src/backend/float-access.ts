import * as tf from '@tensorflow/tfjs-core';
import type { Floats } from './group-norm-math.js';
import { heapIndex, type WasmBackendMemory } from './wasm-heap.js';

/** Reads inputs and allocates outputs as float32 arrays of one JS/wasm backend. */
export interface FloatAccess {
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

/** Float access for our kernels on the JS/wasm backend `backendName`. */
export function access(backendName: 'wasm' | 'cpu', backend: unknown): FloatAccess {
  return backendName === 'wasm' ? wasmAccess(backend as WasmBackendMemory) : cpuAccess(backend as CpuBackendMemory);
}

