import { OnnxGraphError } from './errors.js';
import type { GraphProto, ModelProto } from './types.js';

const nodeLabel = (name: string | undefined, opType: string | undefined, index: number): string =>
  `node ${name ? `'${name}'` : `#${index}`} (${opType || 'no op_type'})`;

/**
 * Checks a graph's structure: names are non-empty and unique (graph inputs, initializers and
 * node outputs are one namespace; an initializer may share a graph input's name, as IR ≥ 4
 * allows), every node input is a graph input, an initializer or an output of an earlier node,
 * and every graph output is defined. Throws OnnxGraphError naming the node and value.
 */
export function validateGraph(graph: GraphProto): void {
  const graphName = graph.name ? `graph '${graph.name}'` : 'graph';
  const defined = new Set<string>();
  const inputs = new Set<string>();
  for (const input of graph.input ?? []) {
    const name = input.name ?? '';
    if (!name) throw new OnnxGraphError(`${graphName}: a graph input has no name`);
    if (inputs.has(name)) throw new OnnxGraphError(`${graphName}: duplicate graph input '${name}'`);
    inputs.add(name);
    defined.add(name);
  }
  const initializers = new Set<string>();
  for (const tensor of graph.initializer ?? []) {
    const name = tensor.name ?? '';
    if (!name) throw new OnnxGraphError(`${graphName}: an initializer has no name`);
    if (initializers.has(name)) throw new OnnxGraphError(`${graphName}: duplicate initializer '${name}'`);
    initializers.add(name);
    defined.add(name);
  }
  const nodeNames = new Set<string>();
  (graph.node ?? []).forEach((node, index) => {
    const label = nodeLabel(node.name, node.opType, index);
    if (!node.opType) throw new OnnxGraphError(`${graphName}: ${label} has no op_type`);
    if (node.name) {
      if (nodeNames.has(node.name)) throw new OnnxGraphError(`${graphName}: duplicate node name '${node.name}'`);
      nodeNames.add(node.name);
    }
    for (const input of node.input ?? []) {
      // An empty name marks an omitted optional input.
      if (input && !defined.has(input)) {
        throw new OnnxGraphError(
          `${graphName}: ${label} input '${input}' is not a graph input, an initializer or an output of an earlier node`,
        );
      }
    }
    for (const output of node.output ?? []) {
      if (!output) continue;
      if (defined.has(output)) throw new OnnxGraphError(`${graphName}: ${label} output '${output}' is already defined`);
      defined.add(output);
    }
  });
  const outputs = new Set<string>();
  for (const output of graph.output ?? []) {
    const name = output.name ?? '';
    if (!name) throw new OnnxGraphError(`${graphName}: a graph output has no name`);
    if (outputs.has(name)) throw new OnnxGraphError(`${graphName}: duplicate graph output '${name}'`);
    if (!defined.has(name)) throw new OnnxGraphError(`${graphName}: graph output '${name}' is not produced by any node, input or initializer`);
    outputs.add(name);
  }
}

/** validateGraph plus model-level checks: a graph is present and every node's domain has an opset import. */
export function validateModel(model: ModelProto): void {
  if (!model.graph) throw new OnnxGraphError('model has no graph');
  validateGraph(model.graph);
  const domains = new Set((model.opsetImport ?? []).map((o) => normalizeDomain(o.domain)));
  (model.graph.node ?? []).forEach((node, index) => {
    const domain = normalizeDomain(node.domain);
    if (!domains.has(domain)) {
      throw new OnnxGraphError(
        `${nodeLabel(node.name, node.opType, index)} uses domain '${domain}' but the model imports no opset for it`,
      );
    }
  });
}

/** '' and 'ai.onnx' both name the default ONNX operator domain. */
export function normalizeDomain(domain: string | undefined): string {
  return domain === 'ai.onnx' || domain === undefined ? '' : domain;
}
