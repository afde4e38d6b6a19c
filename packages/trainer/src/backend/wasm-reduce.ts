import * as tf from '@tensorflow/tfjs-core';
import { heapIndex, type WasmBackendMemory } from './wasm-heap.js';

/** Adjacent axes merged while they are all reduced or all kept: sizes, and whether each run is reduced. */
function mergeRuns(shape: readonly number[], reduced: readonly boolean[]): { sizes: number[]; reduce: boolean[] } {
  const sizes: number[] = [];
  const reduce: boolean[] = [];
  shape.forEach((size, axis) => {
    const r = reduced[axis]!;
    if (sizes.length > 0 && reduce[reduce.length - 1] === r) sizes[sizes.length - 1]! *= size;
    else {
      sizes.push(size);
      reduce.push(r);
    }
  });
  return { sizes, reduce };
}

/** acc[c] += Σ_r heap[src + r·cols + c], four rows per pass. */
function addColumnSums(heap: Float32Array, src: number, rows: number, cols: number, acc: Float64Array, at: number): void {
  let p = src;
  let r = 0;
  for (; r + 4 <= rows; r += 4, p += 4 * cols) {
    for (let c = 0; c < cols; c++) acc[at + c]! += heap[p + c]! + heap[p + cols + c]! + heap[p + 2 * cols + c]! + heap[p + 3 * cols + c]!;
  }
  for (; r < rows; r++, p += cols) {
    for (let c = 0; c < cols; c++) acc[at + c]! += heap[p + c]!;
  }
}

/** Σ over the reduced axes of the block at heap[src…], into a new float64 array. */
function sumRuns(heap: Float32Array, src: number, shape: readonly number[], reduced: readonly boolean[]): Float64Array {
  const { sizes, reduce } = mergeRuns(shape, reduced);
  const outSize = sizes.reduce((p, s, i) => (reduce[i] ? p : p * s), 1);
  const acc = new Float64Array(outSize);
  // Innermost block: the last run, plus the run before it when the last one is kept (a column sum).
  const last = sizes.length - 1;
  const lastKept = !reduce[last];
  const cols = lastKept ? sizes[last]! : 1;
  const rows = lastKept ? (last > 0 ? sizes[last - 1]! : 1) : sizes[last]!;
  const blockRuns = lastKept && last > 0 ? 2 : 1;
  const outer = sizes.slice(0, sizes.length - blockRuns);
  const outerReduce = reduce.slice(0, sizes.length - blockRuns);
  // Output stride of each outer run (0 for reduced runs).
  const outStride: number[] = new Array(outer.length).fill(0);
  let stride = cols;
  for (let i = outer.length - 1; i >= 0; i--) {
    if (!outerReduce[i]) {
      outStride[i] = stride;
      stride *= outer[i]!;
    }
  }
  const blockSize = rows * cols;
  const index: number[] = new Array(outer.length).fill(0);
  const outerCount = outer.reduce((p, s) => p * s, 1);
  let at = 0;
  for (let b = 0, p = src; b < outerCount; b++, p += blockSize) {
    if (lastKept) addColumnSums(heap, p, rows, cols, acc, at);
    else {
      let s = 0;
      for (let k = 0; k < rows; k++) s += heap[p + k]!;
      acc[at]! += s;
    }
    // Odometer over the outer runs, moving the output position along.
    for (let i = outer.length - 1; i >= 0; i--) {
      index[i]!++;
      at += outStride[i]!;
      if (index[i]! < outer[i]!) break;
      at -= outStride[i]! * outer[i]!;
      index[i] = 0;
    }
  }
  return acc;
}

/** A reduced innermost run shorter than this is kept while summing and folded afterwards. */
const SHORT_INNER_RUN = 32;

/**
 * Σ of a float32 tensor in the wasm heap over `axes`, accumulated in float64, as a flat array in the
 * order of the kept axes. One pass over the input: the kept/reduced axes become alternating runs,
 * and each contiguous stretch is summed in JS (as column sums where the innermost run is kept).
 */
export function sumAxesInHeap(heap: Float32Array, src: number, shape: readonly number[], axes: readonly number[]): Float64Array {
  const { sizes, reduce } = mergeRuns(shape, shape.map((_, i) => axes.includes(i)));
  const last = sizes.length - 1;
  const inner = sizes[last]!;
  if (!reduce[last] || last === 0 || inner >= SHORT_INNER_RUN) return sumRuns(heap, src, sizes, reduce);
  // e.g. GroupNorm's [N, HW, G, C/G] over (HW, C/G): column sums over HW of G·C/G channels, then fold C/G.
  const partial = sumRuns(heap, src, sizes, [...reduce.slice(0, last), false]);
  const out = new Float64Array(partial.length / inner);
  for (let i = 0, p = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < inner; k++) s += partial[p++]!;
    out[i] = s;
  }
  return out;
}

/**
 * Sum and Mean of float32 tensors on wasm as one JS pass over the heap (sumAxesInHeap). The stock
 * kernels first transpose the reduced axes innermost (a full copy), and a GEMM with a ones vector
 * spends its time packing the input. `divide` makes it Mean.
 */
function reduceKernel(stock: tf.KernelConfig, divide: boolean): tf.KernelConfig {
  return {
    ...stock,
    kernelFunc: (args) => {
      const x = args.inputs['x']!;
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      if (x.dtype !== 'float32' || x.shape.length === 0) return stock.kernelFunc(args);
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const backend = args.backend as unknown as WasmBackendMemory;
      const sums = sumAxesInHeap(backend.wasm.HEAPF32, heapIndex(backend, x), x.shape, axes);
      const reduced = new Set(axes);
      const outShape = keepDims ? x.shape.map((s, i) => (reduced.has(i) ? 1 : s)) : x.shape.filter((_, i) => !reduced.has(i));
      const count = x.shape.reduce((p, s, i) => (reduced.has(i) ? p * s : p), 1);
      const out = backend.makeOutput(outShape, 'float32');
      const dst = heapIndex(backend, out);
      const heap = backend.wasm.HEAPF32; // after makeOutput: an allocation may grow (and replace) the heap
      for (let i = 0; i < sums.length; i++) heap[dst + i] = divide ? sums[i]! / count : sums[i]!;
      return out;
    },
  };
}

/** wasm Sum over any axes of a float32 tensor in one pass (see reduceKernel). */
export const wasmSumKernel = (stock: tf.KernelConfig): tf.KernelConfig => reduceKernel(stock, false);

/** wasm Mean over any axes of a float32 tensor in one pass (see reduceKernel). */
export const wasmMeanKernel = (stock: tf.KernelConfig): tf.KernelConfig => reduceKernel(stock, true);
