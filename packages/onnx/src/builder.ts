import { type AttrValue, makeAttribute } from './attributes.js';
import { OnnxGraphError } from './errors.js';
import { dataTypeCode, makeTensor, type TensorData, type TensorDataType, tensorDataFrom } from './tensor.js';
import type { ModelProto, NodeProto, TensorProto, ValueInfoProto } from './types.js';
import { normalizeDomain, validateModel } from './validate.js';

/** Producer written by GraphBuilder.build() unless overridden. */
export const DEFAULT_PRODUCER = { name: 'onnx-ddpm', version: '0.1.0' } as const;
/** Default opset of the ai.onnx domain. */
export const DEFAULT_OPSET = 17;

/** The highest IR version each ai.onnx opset can be paired with (onnx/docs/Versioning.md). */
const IR_VERSION_BY_OPSET: [maxOpset: number, irVersion: number][] = [
  [8, 3],
  [9, 4],
  [10, 5],
  [11, 6],
  [14, 7],
  [18, 8],
  [20, 9],
  [22, 10],
  [23, 11],
];

/** The IR version for an ai.onnx opset (8 for opsets 15–18); throws for opsets outside 7–23. */
export function irVersionForOpset(opset: number): number {
  if (Number.isInteger(opset) && opset >= 7) {
    for (const [maxOpset, irVersion] of IR_VERSION_BY_OPSET) if (opset <= maxOpset) return irVersion;
  }
  throw new OnnxGraphError(`no known IR version for opset ${opset}; pass irVersion to GraphBuilder`);
}

export interface GraphBuilderOptions {
  /** ai.onnx opset version (default 17). */
  opset?: number;
  /** Graph name (default 'main'). */
  name?: string;
  /** Overrides the IR version derived from the opset. */
  irVersion?: number;
}

export interface NodeOptions {
  /** Node name (must be unique); default `<opType>_<k>`. */
  name?: string;
  /** Output names (must be unused), or how many outputs to auto-name (default 1). */
  outputs?: readonly string[] | number;
  /** Operator domain (default '' = ai.onnx); other domains need opsetImport(). */
  domain?: string;
  docString?: string;
}

export interface BuildOptions {
  producerName?: string;
  producerVersion?: string;
  /** metadata_props, written in the object's key order. */
  metadata?: Record<string, string>;
  docString?: string;
  modelVersion?: number;
}

function valueInfo(name: string, dtype: TensorDataType, dims: readonly (number | string)[]): ValueInfoProto {
  const dim = dims.map((d) => {
    if (typeof d === 'string') {
      if (!d) throw new OnnxGraphError(`value '${name}': a symbolic dimension name must not be empty`);
      return { dimParam: d };
    }
    if (!Number.isSafeInteger(d) || d < 0) throw new OnnxGraphError(`value '${name}': invalid dimension ${d}`);
    return { dimValue: d };
  });
  return { name, type: { tensorType: { elemType: dataTypeCode(dtype), shape: { dim } } } };
}

/**
 * Builds an ONNX graph node by node. Value names are unique: explicit names (inputs, node
 * outputs, node names) must be unused, name hints (initializers, constants) get a `_<k>`
 * suffix when taken. Node inputs must already be defined (topological order).
 */
export class GraphBuilder {
  readonly opset: number;
  readonly irVersion: number;
  private readonly graphName: string;
  private readonly valueNames = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly opTypeCounters = new Map<string, number>();
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly nodes: NodeProto[] = [];
  private readonly opsets = new Map<string, number>();

  constructor(opts: GraphBuilderOptions = {}) {
    this.opset = opts.opset ?? DEFAULT_OPSET;
    this.irVersion = opts.irVersion ?? irVersionForOpset(this.opset);
    this.graphName = opts.name ?? 'main';
    this.opsets.set('', this.opset);
  }

  /** Declares a graph input; dims are sizes or symbolic names such as 'N'. Returns its name. */
  input(name: string, dtype: TensorDataType, dims: readonly (number | string)[]): string {
    this.checkUnused(name, 'graph input');
    this.inputs.push(valueInfo(name, dtype, dims));
    this.valueNames.add(name);
    return name;
  }

  /** Declares a graph output (a value defined before build()). */
  output(name: string, dtype: TensorDataType, dims: readonly (number | string)[]): void {
    if (this.outputs.some((o) => o.name === name)) throw new OnnxGraphError(`duplicate graph output '${name}'`);
    this.outputs.push(valueInfo(name, dtype, dims));
  }

  /** Adds an initializer stored as raw data; returns its (uniquified) name. */
  initializer(nameHint: string, dtype: TensorDataType, dims: readonly number[], data: TensorData): string {
    const name = this.uniqueName(nameHint);
    this.initializers.push(makeTensor(name, dtype, dims, data));
    this.valueNames.add(name);
    return name;
  }

  /** A small initializer from plain values (converted to dtype); 1-D unless dims is given ([] for a scalar). */
  constant(
    nameHint: string,
    dtype: TensorDataType,
    values: readonly (number | bigint)[],
    dims: readonly number[] = [values.length],
  ): string {
    return this.initializer(nameHint, dtype, dims, tensorDataFrom(dtype, values, `constant '${nameHint}'`));
  }

  /** A small int64 initializer (shapes, axes); 1-D unless dims is given ([] for a scalar). */
  constInt64(nameHint: string, values: readonly (number | bigint)[], dims: readonly number[] = [values.length]): string {
    return this.constant(nameHint, 'int64', values, dims);
  }

  /** A small float32 initializer; 1-D unless dims is given ([] for a scalar). */
  constFloat(nameHint: string, values: readonly number[] | Float32Array, dims: readonly number[] = [values.length]): string {
    return this.constant(nameHint, 'float32', Array.from(values), dims);
  }

  /** Imports an opset for a non-default operator domain (e.g. 'com.microsoft'). */
  opsetImport(domain: string, version: number): void {
    const key = normalizeDomain(domain);
    if (key === '' && version !== this.opset) throw new OnnxGraphError(`the ai.onnx opset is ${this.opset}; set it in the constructor`);
    this.opsets.set(key, version);
  }

  /**
   * Appends a node; inputs must be defined already ('' for an omitted optional input).
   * Attributes whose value is undefined are left out. Returns the output names.
   */
  node(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, AttrValue | undefined> = {},
    opts: NodeOptions = {},
  ): string[] {
    if (!opType) throw new OnnxGraphError('node: op_type must not be empty');
    const name = opts.name ?? this.uniqueNodeName(opType);
    if (this.nodeNames.has(name)) throw new OnnxGraphError(`duplicate node name '${name}'`);
    const label = `node '${name}' (${opType})`;
    for (const input of inputs) {
      if (input && !this.valueNames.has(input)) {
        throw new OnnxGraphError(`${label}: input '${input}' is not a graph input, an initializer or an output of an earlier node`);
      }
    }
    const attribute = Object.entries(attrs)
      .filter((entry): entry is [string, AttrValue] => entry[1] !== undefined)
      .map(([key, value]) => makeAttribute(key, value, label));
    const requested = opts.outputs ?? 1;
    if (typeof requested === 'number' && !(Number.isInteger(requested) && requested >= 0)) {
      throw new OnnxGraphError(`${label}: outputs must be a list of names or a count ≥ 0, got ${requested}`);
    }
    const outputs =
      typeof requested === 'number'
        ? Array.from({ length: requested }, (_, i) => this.uniqueName(requested === 1 ? `${name}_out` : `${name}_out${i}`))
        : [...requested];
    // Check every output name before recording any, so a failed call leaves the builder unchanged.
    outputs.forEach((output, i) => {
      this.checkUnused(output, `output of ${label}`);
      if (outputs.indexOf(output) !== i) throw new OnnxGraphError(`${label}: output '${output}' is listed twice`);
    });
    for (const output of outputs) this.valueNames.add(output);
    this.nodeNames.add(name);
    const node: NodeProto = { input: [...inputs], output: outputs, name, opType };
    if (attribute.length > 0) node.attribute = attribute;
    if (opts.domain !== undefined && opts.domain !== '') node.domain = opts.domain;
    if (opts.docString !== undefined) node.docString = opts.docString;
    this.nodes.push(node);
    return outputs;
  }

  /** Assembles and validates the ModelProto (see validateModel). */
  build(opts: BuildOptions = {}): ModelProto {
    const model: ModelProto = {
      irVersion: this.irVersion,
      producerName: opts.producerName ?? DEFAULT_PRODUCER.name,
      producerVersion: opts.producerVersion ?? DEFAULT_PRODUCER.version,
      graph: {
        node: this.nodes.map((n) => ({ ...n })),
        name: this.graphName,
        initializer: [...this.initializers],
        input: [...this.inputs],
        output: [...this.outputs],
      },
      opsetImport: [...this.opsets].map(([domain, version]) => ({ domain, version })),
    };
    if (opts.modelVersion !== undefined) model.modelVersion = opts.modelVersion;
    if (opts.docString !== undefined) model.docString = opts.docString;
    if (opts.metadata) model.metadataProps = Object.entries(opts.metadata).map(([key, value]) => ({ key, value }));
    validateModel(model);
    return model;
  }

  private checkUnused(name: string, what: string): void {
    if (typeof name !== 'string' || !name) throw new OnnxGraphError(`${what}: a name must be a non-empty string`);
    if (this.valueNames.has(name)) throw new OnnxGraphError(`duplicate value name '${name}' (${what})`);
  }

  private uniqueName(hint: string): string {
    if (!hint) throw new OnnxGraphError('a name hint must be a non-empty string');
    let name = hint;
    for (let k = 1; this.valueNames.has(name); k++) name = `${hint}_${k}`;
    return name;
  }

  private uniqueNodeName(opType: string): string {
    let k = this.opTypeCounters.get(opType) ?? 0;
    while (this.nodeNames.has(`${opType}_${k}`)) k++;
    this.opTypeCounters.set(opType, k + 1);
    return `${opType}_${k}`;
  }
}
