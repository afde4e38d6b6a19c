import type { ModelProto, NodeProto } from '@onnx-ddpm/onnx';

/**
 * Multiply-accumulate counts of an ONNX graph's dense ops, from tensor shapes the caller
 * supplies (model-flops-node.ts gets them by running the model once in onnxruntime).
 *
 * Counted: Conv, ConvTranspose, MatMul, Gemm — the ops that hold practically all the arithmetic
 * of our U-Net and MLP (GroupNorm, SiLU, Add, Softmax... are a few % and are not counted).
 * Nodes inside subgraphs (If/Loop bodies) are not counted. FLOPs = 2 × MACs.
 */

export const COUNTED_OPS = ['Conv', 'ConvTranspose', 'MatMul', 'Gemm'] as const;

export interface FlopCount {
  /** Multiply-accumulates of one forward pass. */
  macs: number;
  /** 2 × macs. */
  flops: number;
  /** MACs per op type. */
  byOp: Record<string, number>;
  /** Nodes counted. */
  nodes: number;
}

/** Looks up the shape of a tensor by name; undefined when unknown. */
export type ShapeOf = (name: string) => readonly number[] | undefined;

function counted(node: NodeProto): boolean {
  return (COUNTED_OPS as readonly string[]).includes(node.opType ?? '') && (node.domain ?? '') === '';
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a?.i === undefined ? fallback : Number(a.i);
}

/** Shapes of initializers (weights), known without running anything. */
export function initializerShapes(model: ModelProto): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const t of model.graph?.initializer ?? []) out.set(t.name ?? '', (t.dims ?? []).map(Number));
  return out;
}

/** The tensors whose shapes countMacs reads: data input, weight input and output of every counted node. */
export function macShapeNames(model: ModelProto): string[] {
  const names = new Set<string>();
  for (const node of model.graph?.node ?? []) {
    if (!counted(node)) continue;
    const [a, b] = node.input ?? [];
    if (a) names.add(a);
    if (b) names.add(b);
    const out = node.output?.[0];
    if (out) names.add(out);
  }
  return [...names];
}

/** MACs of one node, or an Error naming the shape that is missing. */
function nodeMacs(node: NodeProto, shapeOf: ShapeOf): number {
  const need = (name: string | undefined, what: string): readonly number[] => {
    const s = name ? shapeOf(name) : undefined;
    if (!s) throw new Error(`no shape for ${what} '${name}' of ${node.opType} node '${node.name ?? '?'}'`);
    return s;
  };
  const [a, b] = node.input ?? [];
  const out = need(node.output?.[0], 'output');
  switch (node.opType) {
    case 'Conv': {
      // weight [C_out, C_in / group, k...]: each output element costs (C_in / group) · Πk MACs.
      const w = need(b, 'weight');
      return product(out) * product(w.slice(1));
    }
    case 'ConvTranspose': {
      // weight [C_in, C_out / group, k...]: each input element is spread over (C_out / group) · Πk outputs.
      const x = need(a, 'input');
      const w = need(b, 'weight');
      return product(x) * product(w.slice(1));
    }
    case 'MatMul': {
      // [..., M, K] × [..., K, N]: each output element costs K MACs (K = A's last dim; 1-D A is [K]).
      const x = need(a, 'input');
      return product(out) * (x[x.length - 1] ?? 1);
    }
    case 'Gemm': {
      // A [M, K] (or [K, M] with transA): M·N outputs of K MACs; the C term is an add, not counted.
      const x = need(a, 'input');
      const k = intAttr(node, 'transA', 0) ? x[0]! : x[1]!;
      return product(out) * k;
    }
    default:
      return 0;
  }
}

/** Counts the MACs of the main graph's Conv/ConvTranspose/MatMul/Gemm nodes. */
export function countMacs(model: ModelProto, shapeOf: ShapeOf): FlopCount {
  const byOp: Record<string, number> = {};
  let macs = 0;
  let nodes = 0;
  for (const node of model.graph?.node ?? []) {
    if (!counted(node)) continue;
    const m = nodeMacs(node, shapeOf);
    byOp[node.opType!] = (byOp[node.opType!] ?? 0) + m;
    macs += m;
    nodes++;
  }
  return { macs, flops: 2 * macs, byOp, nodes };
}
