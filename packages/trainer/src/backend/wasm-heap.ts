import * as tf from '@tensorflow/tfjs-core';

type BatchMatMulFn = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: number,
  transposeB: number,
  outId: number,
) => void;

/** The parts of BackendWasm our kernels use (its tensors live in one wasm heap). */
export interface WasmBackendMemory {
  incRef(dataId: tf.DataId): void;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  dataIdMap: {
    get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined;
    delete(dataId: tf.DataId): boolean;
  };
  wasm: {
    HEAPF32: Float32Array;
    HEAPF64: Float64Array;
    HEAP32: Int32Array;
    /** The module's exports; `memory` is its WebAssembly.Memory (our SIMD kernels import it). */
    asm: { memory: object };
    cwrap(name: string, returns: null, args: string[]): BatchMatMulFn;
    tfjs: { disposeData(id: number): void };
  };
}

/** A float32 matrix registered over heap memory that something else owns. */
export interface HeapView {
  info: tf.TensorInfo;
  id: number;
}

const multiplyFns = new WeakMap<object, BatchMatMulFn>();

/** Byte offset of a float32 tensor's data in the wasm heap. */
export function heapOffset(backend: WasmBackendMemory, info: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data == null) throw new Error('wasm heap: tensor is not on this backend');
  return data.memoryOffset;
}

/** Float index of a float32 tensor's first element in HEAPF32. */
export function heapIndex(backend: WasmBackendMemory, info: tf.TensorInfo): number {
  return heapOffset(backend, info) / 4;
}

/**
 * Registers `rows × cols` floats at heap byte offset `byteOffset` as a tensor without copying or
 * owning them; end it with releaseView (never disposeData, which would free the owner's memory).
 */
export function heapView(backend: WasmBackendMemory, byteOffset: number, rows: number, cols: number): HeapView {
  const info = backend.makeOutput([1, rows, cols], 'float32', byteOffset);
  return { info, id: backend.dataIdMap.get(info.dataId)!.id };
}

/** Unregisters a view (this also drops the XNNPACK operator cached on it as a weight matrix). */
export function releaseView(backend: WasmBackendMemory, view: HeapView): void {
  backend.wasm.tfjs.disposeData(view.id);
  backend.dataIdMap.delete(view.info.dataId);
}

/**
 * out[m, n] = a[m, k] · b[k, n] on XNNPACK's GEMM (the wasm BatchMatMul entry point, untransposed,
 * batch 1). XNNPACK packs b and caches the packed copy on b's id until b is disposed or released, so
 * several products with one b pack it once.
 */
export function multiplyInHeap(
  backend: WasmBackendMemory,
  a: HeapView,
  b: HeapView,
  out: HeapView,
  m: number,
  k: number,
  n: number,
): void {
  let fn = multiplyFns.get(backend);
  if (fn == null) {
    fn = backend.wasm.cwrap(tf.BatchMatMul, null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    multiplyFns.set(backend, fn);
  }
  const shape = (rows: number, cols: number) => new Uint8Array(new Int32Array([1, rows, cols]).buffer);
  fn(a.id, shape(m, k), 3, b.id, shape(k, n), 3, 0, 0, out.id);
}
