import { decodeModel } from './codec.js';
import { dataTypeName, elementCount, FLOAT_DATA_TYPES } from './tensor.js';
import type { ModelProto, ValueInfoProto } from './types.js';

/** A graph input or output: element type name ('float32', …, or 'unknown(<code>)') and shape. */
export interface ValueSummary {
  name: string;
  dtype: string;
  /** Sizes (numbers) and symbolic names (strings); '?' for an unknown dimension, [] when no shape is declared. */
  shape: (number | string)[];
}

export interface ModelSummary {
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  /** Operator sets; the default ai.onnx domain is reported as ''. */
  opsets: { domain: string; version: number }[];
  metadata: Record<string, string>;
  /** Sum of element counts of the floating-point (float32/float16/bfloat16/float64) initializers. */
  parameterCount: number;
  nodeCount: number;
  /** Nodes per op type; ops outside the default domain are keyed `<domain>.<opType>`. */
  opCounts: Record<string, number>;
  /** producer_name and producer_version joined by a space. */
  producer: string;
  irVersion: number;
  graphName: string;
  initializerCount: number;
}

function summarizeValue(value: ValueInfoProto): ValueSummary {
  const tensorType = value.type?.tensorType;
  const code = tensorType?.elemType;
  const dtype = code === undefined ? 'unknown' : (dataTypeName(code) ?? `unknown(${code})`);
  const shape = (tensorType?.shape?.dim ?? []).map((d) => {
    if (d.dimValue !== undefined) return Number(d.dimValue);
    return d.dimParam ? d.dimParam : '?';
  });
  return { name: value.name ?? '', dtype, shape };
}

/** A summary of a model (decoded first when given bytes) for display and checks. */
export function inspectModel(model: ModelProto | Uint8Array): ModelSummary {
  const proto = model instanceof Uint8Array ? decodeModel(model) : model;
  const graph = proto.graph ?? {};
  const metadata: Record<string, string> = {};
  for (const { key, value } of proto.metadataProps ?? []) metadata[key ?? ''] = value ?? '';
  let parameterCount = 0;
  for (const tensor of graph.initializer ?? []) {
    const dtype = dataTypeName(tensor.dataType ?? 0);
    if (dtype && FLOAT_DATA_TYPES.has(dtype)) parameterCount += elementCount(tensor.dims ?? [], `initializer '${tensor.name}'`);
  }
  const opCounts: Record<string, number> = {};
  for (const node of graph.node ?? []) {
    const domain = node.domain === 'ai.onnx' ? '' : (node.domain ?? '');
    const key = domain ? `${domain}.${node.opType ?? ''}` : (node.opType ?? '');
    opCounts[key] = (opCounts[key] ?? 0) + 1;
  }
  return {
    inputs: (graph.input ?? []).map(summarizeValue),
    outputs: (graph.output ?? []).map(summarizeValue),
    opsets: (proto.opsetImport ?? []).map((o) => ({
      domain: o.domain === 'ai.onnx' ? '' : (o.domain ?? ''),
      version: Number(o.version ?? 0),
    })),
    metadata,
    parameterCount,
    nodeCount: graph.node?.length ?? 0,
    opCounts,
    producer: [proto.producerName, proto.producerVersion].filter(Boolean).join(' '),
    irVersion: Number(proto.irVersion ?? 0),
    graphName: graph.name ?? '',
    initializerCount: graph.initializer?.length ?? 0,
  };
}
