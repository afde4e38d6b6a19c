import type { AttrValue, GraphBuilder } from '@onnx-ddpm/onnx';
import type * as tf from '@tensorflow/tfjs-core';
import { hostValues, weightName } from './params.js';

/**
 * Emission context shared by all modules: adds weights as float32 initializers (values read
 * from the module's variables at export time), caches int64 shape constants and values that
 * several modules share (the activated time embedding, InstanceNormalization's unit scale).
 */
export class OnnxEmitter {
  private readonly shapes = new Map<string, string>();
  private readonly memo = new Map<string, string>();

  constructor(readonly graph: GraphBuilder) {}

  /** A float32 initializer named after the weight. */
  weight(name: string, dims: number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`weight ${name}: ${data.length} values for dims [${dims}]`);
    return this.graph.initializer(name, 'float32', dims, data);
  }

  /** A variable's current values as an initializer named after its weight, optionally transformed. */
  param(v: tf.Variable, transform?: (data: Float32Array) => { dims: number[]; data: Float32Array }): string {
    const data = values(v);
    const t = transform ? transform(data) : { dims: v.shape, data };
    return this.weight(weightName(v), t.dims, t.data);
  }

  /** A cached int64 constant (shapes, axes). */
  ints(values: number[]): string {
    const key = values.join(',');
    let name = this.shapes.get(key);
    if (name === undefined) {
      name = this.graph.constInt64(`const_${values.map((v) => (v < 0 ? `m${-v}` : v)).join('_')}`, values);
      this.shapes.set(key, name);
    }
    return name;
  }

  /** One node with one output (auto-named, or `outputName`). */
  op(opType: string, inputs: string[], attrs?: Record<string, AttrValue>, outputName?: string): string {
    return this.graph.node(opType, inputs, attrs, outputName ? { outputs: [outputName] } : {})[0] as string;
  }

  /** One node with `count` outputs. */
  ops(opType: string, inputs: string[], count: number, attrs?: Record<string, AttrValue>): string[] {
    return this.graph.node(opType, inputs, attrs, { outputs: count });
  }

  /** Splits `input` into `count` equal parts along `axis` (opset 18 made num_outputs required). */
  split(input: string, axis: number, count: number): string[] {
    const attrs: Record<string, AttrValue> = this.graph.opset >= 18 ? { axis, num_outputs: count } : { axis };
    return this.ops('Split', [input], count, attrs);
  }

  /** Returns the value cached under `key`, computing it once. */
  shared(key: string, make: () => string): string {
    let name = this.memo.get(key);
    if (name === undefined) {
      name = make();
      this.memo.set(key, name);
    }
    return name;
  }
}

/** Current values of a variable as a Float32Array (a copy; of the host copy where the variable has one). */
export function values(v: tf.Variable): Float32Array {
  return Float32Array.from(hostValues(v) ?? (v.dataSync() as Float32Array));
}

/** Permutes a dense row-major array of shape `dims` by `perm` (like numpy.transpose). */
export function transposeArray(data: Float32Array, dims: number[], perm: number[]): Float32Array {
  const rank = dims.length;
  const outDims = perm.map((p) => dims[p] as number);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = (inStrides[i + 1] as number) * (dims[i + 1] as number);
  const stridesByOut = perm.map((p) => inStrides[p] as number);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (index[d] as number) * (stridesByOut[d] as number);
    out[o] = data[src] as number;
    for (let d = rank - 1; d >= 0; d--) {
      index[d] = (index[d] as number) + 1;
      if ((index[d] as number) < (outDims[d] as number)) break;
      index[d] = 0;
    }
  }
  return out;
}
