import { OnnxGraphError } from './errors.js';
import { AttributeType, type AttributeProto, type GraphProto, type TensorProto } from './types.js';

const utf8 = new TextEncoder();

/** An attribute value with an explicit ONNX type, for cases plain values cannot express (e.g. a float 1). */
export class Attr {
  private constructor(readonly proto: Readonly<Omit<AttributeProto, 'name'>>) {}
  static float(value: number): Attr {
    return new Attr({ type: AttributeType.FLOAT, f: value });
  }
  static int(value: number | bigint): Attr {
    return new Attr({ type: AttributeType.INT, i: value });
  }
  static string(value: string): Attr {
    return new Attr({ type: AttributeType.STRING, s: utf8.encode(value) });
  }
  static tensor(value: TensorProto): Attr {
    return new Attr({ type: AttributeType.TENSOR, t: value });
  }
  static graph(value: GraphProto): Attr {
    return new Attr({ type: AttributeType.GRAPH, g: value });
  }
  static floats(values: readonly number[]): Attr {
    return new Attr({ type: AttributeType.FLOATS, floats: [...values] });
  }
  static ints(values: readonly (number | bigint)[]): Attr {
    return new Attr({ type: AttributeType.INTS, ints: [...values] });
  }
  static strings(values: readonly string[]): Attr {
    return new Attr({ type: AttributeType.STRINGS, strings: values.map((s) => utf8.encode(s)) });
  }
  static tensors(values: readonly TensorProto[]): Attr {
    return new Attr({ type: AttributeType.TENSORS, tensors: [...values] });
  }
  static graphs(values: readonly GraphProto[]): Attr {
    return new Attr({ type: AttributeType.GRAPHS, graphs: [...values] });
  }
}

/**
 * A node attribute value. Plain values pick their type: an integer number or bigint → INT,
 * another number → FLOAT, string → STRING, arrays likewise (INTS only if every entry is an
 * integer), a TensorProto object → TENSOR. Use {@link Attr} for anything else, notably a
 * FLOAT attribute whose value is a whole number (`Attr.float(1)`) or an empty list.
 */
export type AttrValue =
  | number
  | bigint
  | string
  | readonly number[]
  | readonly bigint[]
  | readonly string[]
  | TensorProto
  | Attr;

const isInt = (v: unknown): boolean => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));

/** The AttributeProto for one named attribute value (see {@link AttrValue} for the type rules). */
export function makeAttribute(name: string, value: AttrValue, where: string): AttributeProto {
  if (value instanceof Attr) return { name, ...value.proto };
  if (typeof value === 'bigint') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: AttributeType.INT, i: value } : { name, type: AttributeType.FLOAT, f: value };
  }
  if (typeof value === 'string') return { name, ...Attr.string(value).proto };
  if (Array.isArray(value)) {
    const list = value as readonly unknown[];
    if (list.length === 0) throw new OnnxGraphError(`${where}: attribute '${name}' is an empty list; use Attr.ints([]) or another Attr helper`);
    if (list.every((v) => typeof v === 'string')) return { name, ...Attr.strings(list as string[]).proto };
    if (list.every(isInt)) return { name, ...Attr.ints(list as (number | bigint)[]).proto };
    if (list.every((v) => typeof v === 'number')) return { name, ...Attr.floats(list as number[]).proto };
    throw new OnnxGraphError(`${where}: attribute '${name}' mixes value types; use an Attr helper`);
  }
  if (typeof value === 'object' && value !== null) return { name, ...Attr.tensor(value as TensorProto).proto };
  throw new OnnxGraphError(`${where}: attribute '${name}' has an unsupported value ${String(value)}`);
}
