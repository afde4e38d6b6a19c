/**
 * A minimal WebAssembly binary writer: enough to build small SIMD loops over another module's memory
 * (one imported memory, functions of i32 parameters, no results). Instructions are byte arrays;
 * opcodes follow the WebAssembly core spec and its fixed-width SIMD proposal.
 */

export type Code = number[];

/** Unsigned LEB128. */
function uleb(value: number): Code {
  const out: Code = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
function sleb(value: number): Code {
  const out: Code = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const name = (s: string): Code => vec([...s].map((ch) => [ch.charCodeAt(0)]));
const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];
const simd = (op: number): Code => [0xfd, ...uleb(op)];

export const I32 = 0x7f;
export const V128 = 0x7b;

/** The instructions the kernels use. */
export const op = {
  get: (i: number): Code => [0x20, ...uleb(i)],
  set: (i: number): Code => [0x21, ...uleb(i)],
  i32: (v: number): Code => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32ShrU: [0x76],
  i32GeU: [0x4f],
  /** block … end / loop … end without results; br_if / br to a depth. */
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  /** v128.load / v128.store at address + `offset` bytes, alignment hint 1 (unaligned is allowed). */
  load: (offset = 0): Code => [...simd(0x00), 0, ...uleb(offset)],
  store: (offset = 0): Code => [...simd(0x0b), 0, ...uleb(offset)],
  f32x4Add: simd(0xe4),
  f32x4Mul: simd(0xe6),
  f64x2Splat1: [...simd(0x0c), ...new Uint8Array(new Float64Array([1, 1]).buffer)],
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  /** f32 lanes 0, 1 → f64x2. */
  promoteLow: simd(0x5f),
  /** f64x2 → f32 lanes 0, 1 (lanes 2, 3 zero), rounded to nearest like a Float32Array store. */
  demote: simd(0x5e),
  /** i8x16.shuffle of the two operands with 16 byte indices (0–15 first operand, 16–31 second). */
  shuffle: (lanes: number[]): Code => [...simd(0x0d), ...lanes],
};

/** f32 lanes 2, 3 of a v128 moved to lanes 0, 1 (then promoteLow widens them). */
export const HIGH_HALF = op.shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
/** f32 lane `lane` copied to all four lanes (an operand shuffled with itself). */
export const splatLane = (lane: number): Code => op.shuffle(Array.from({ length: 16 }, (_, i) => 4 * lane + (i % 4)));
/** f32 lanes 0, 1 of the first operand and 0, 1 of the second: two demoted halves joined. */
export const JOIN_HALVES = op.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);

export interface WasmFunction {
  name: string;
  params: number;
  /** Extra locals after the parameters, by type. */
  locals: number[];
  body: Code;
}

/** A module that imports `env.memory` and exports `functions` (each of i32 parameters, no result). */
export function assembleModule(functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), 0]);
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]]);
  const bodies = functions.map((f) => {
    const body = [...vec(f.locals.map((t) => [1, t])), ...f.body, ...op.end];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}
