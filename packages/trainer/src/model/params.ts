import * as tf from '@tensorflow/tfjs-core';

/** How a parameter starts: PyTorch's defaults (uniform ±1/√fanIn for dense/conv, N(0,1) embeddings). */
export type Init = { kind: 'uniform'; fanIn: number } | { kind: 'normal' } | { kind: 'ones' } | { kind: 'zeros' };

/** FNV-1a hash of a string, so each weight's random stream depends only on (seed, name). */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mulberry32 generator: uniform floats in [0, 1), seeded. */
function uniformStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic initial values for weight `name` under model seed `seed`. */
export function initialValues(seed: number, name: string, size: number, init: Init): Float32Array {
  const out = new Float32Array(size);
  if (init.kind === 'ones') return out.fill(1);
  if (init.kind === 'zeros') return out;
  const next = uniformStream(Math.imul(seed >>> 0, 0x9e3779b1) ^ hashName(name));
  if (init.kind === 'uniform') {
    const bound = 1 / Math.sqrt(init.fanIn);
    for (let i = 0; i < size; i++) out[i] = (2 * next() - 1) * bound;
    return out;
  }
  for (let i = 0; i < size; i += 2) {
    // Box–Muller: two independent N(0,1) from two uniforms.
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const theta = 2 * Math.PI * next();
    out[i] = r * Math.cos(theta);
    if (i + 1 < size) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

/**
 * The host copy of every model variable's values. Weights change only from the host (initial values,
 * setWeights), so this copy is always current, and reading it needs no synchronous device read (which
 * the WebGPU backend cannot do in Node).
 */
const hostCopies = new WeakMap<tf.Variable, Float32Array>();

/** The host copy of a model variable (undefined for a variable not made by a ParamStore). */
export function hostValues(v: tf.Variable): Float32Array | undefined {
  return hostCopies.get(v);
}

/** Assigns `data` to a model variable and keeps it as the host copy (the caller gives up `data`). */
export function assignHostValues(v: tf.Variable, data: Float32Array): void {
  tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
  hostCopies.set(v, data);
}

let instanceCounter = 0;
const SCOPE_SEPARATOR = '/';

/** The weight name of a model variable (its registered name without the per-instance scope). */
export function weightName(v: tf.Variable): string {
  return v.name.slice(v.name.indexOf(SCOPE_SEPARATOR) + 1);
}

/**
 * Creates a model's trainable variables in a stable order. Each weight has a dotted name
 * ('down.0.res.1.conv1.kernel'); the tf.Variable's registered name is that weight name
 * prefixed by a per-instance scope ('eps3/down.0.res.1.conv1.kernel') because TF.js
 * requires variable names to be unique among all live variables.
 */
export class ParamStore {
  readonly params: tf.Variable[] = [];
  readonly names: string[] = [];
  private readonly scope = `eps${++instanceCounter}${SCOPE_SEPARATOR}`;

  constructor(private readonly seed: number) {}

  create(name: string, shape: number[], init: Init): tf.Variable {
    if (this.names.includes(name)) throw new Error(`duplicate weight name '${name}'`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = initialValues(this.seed, name, size, init);
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true, this.scope + name));
    hostCopies.set(v, values.slice());
    this.params.push(v);
    this.names.push(name);
    return v;
  }
}

/** Creates parameters under a dotted prefix ('down.0.res.1.' + 'conv1.kernel'). */
export class ParamScope {
  constructor(
    readonly store: ParamStore,
    readonly prefix: string,
  ) {}

  child(name: string | number): ParamScope {
    return new ParamScope(this.store, `${this.prefix}${name}.`);
  }

  create(name: string, shape: number[], init: Init): tf.Variable {
    return this.store.create(this.prefix + name, shape, init);
  }
}
