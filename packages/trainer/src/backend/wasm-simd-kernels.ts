import { assembleModule, type Code, HIGH_HALF, I32, JOIN_HALVES, op, splatLane, V128 } from './wasm-assembler.js';
import type { WasmBackendMemory } from './wasm-heap.js';

/**
 * SIMD loops over the wasm backend's own heap, for the passes our JS kernels made over it (9× faster
 * than the JS loops on the U-Net's tensors). Each works on 4 float32 lanes widened to float64 and
 * evaluates the JS kernel's expression in the same order, rounding once to float32 at the store as a
 * Float32Array store does, so its results equal the JS loops' bit for bit. Addresses and sizes are in
 * bytes; lengths are multiples of 4 floats (callers handle the rest).
 */
export interface SimdKernels {
  /** dx = dy·s·(1 + x·(1 − s)) over `count` floats. */
  swishGrad(dy: number, x: number, s: number, dx: number, count: number): void;
  /**
   * Per channel c of a [positions, channels] block: sums[c] += Σ_p a[p, c] and
   * sums[channels + c] += Σ_p a[p, c]·b[p, c] (float64 sums, in position order).
   */
  channelSums(a: number, b: number, positions: number, channels: number, sums: number): void;
  /**
   * out[p, c] = a[p, c]·scale[c] (+ b[p, c]·bScale[c] when b is not null) + shift[c], with float64
   * scale, bScale, shift laid out one after another from `coef` (channels doubles each).
   */
  affine(a: number, b: number | null, positions: number, channels: number, coef: number, out: number): void;
  /**
   * dw[ci, co] += Σ_j x[j·xStep + ci]·dy[j·Co + co] over `count` positions j, for one filter tap:
   * x and dy rows in NHWC (x's positions `xStep` bytes apart), dw [Ci, Co]; Ci % 4 = 0, Co % 8 = 0.
   * Float32 products and sums, tiles of 4 input × 8 output channels held in registers.
   */
  filterGradRow(x: number, dy: number, dw: number, count: number, xStep: number, inChannels: number, outChannels: number): void;
}

/** for (i; i < limit; i += step) body, with i and limit locals. */
function forLoop(i: number, limit: number, step: Code, body: Code): Code {
  return [
    ...op.block,
    ...op.loop,
    ...op.get(i),
    ...op.get(limit),
    ...op.i32GeU,
    ...op.brIf(1),
    ...body,
    ...op.get(i),
    ...step,
    ...op.i32Add,
    ...op.set(i),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
}

const lo = (v: number): Code => [...op.get(v), ...op.promoteLow];
const hi = (v: number): Code => [...op.get(v), ...op.get(v), ...HIGH_HALF, ...op.promoteLow];
/** Two f64x2 halves → one f32x4. */
const narrow = (low: Code, high: Code): Code => [...low, ...op.demote, ...high, ...op.demote, ...JOIN_HALVES];
const loadAt = (base: number, k: number, into: number): Code => [...op.get(base), ...op.get(k), ...op.i32Add, ...op.load(), ...op.set(into)];
/** local = a + (k << 1): the float64 of the float32 at byte k. */
const doubled = (a: number, k: number, into: number): Code => [...op.get(a), ...op.get(k), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.set(into)];
const advance = (local: number, by: number): Code => [...op.get(local), ...op.get(by), ...op.i32Add, ...op.set(local)];

// swishGrad(dy, x, s, dx, bytes); locals i, sv, xv, dyv.
const swishGrad = (() => {
  const [dy, x, s, dx, bytes, i, sv, xv, dyv] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  // (dy·s)·(1 + x·(1 − s)) as the JS kernel writes it.
  const value = (half: (v: number) => Code): Code => [
    ...half(dyv),
    ...half(sv),
    ...op.f64x2Mul,
    ...op.f64x2Splat1,
    ...half(xv),
    ...op.f64x2Splat1,
    ...half(sv),
    ...op.f64x2Sub,
    ...op.f64x2Mul,
    ...op.f64x2Add,
    ...op.f64x2Mul,
  ];
  const body = [
    ...loadAt(s, i, sv),
    ...loadAt(x, i, xv),
    ...loadAt(dy, i, dyv),
    ...op.get(dx),
    ...op.get(i),
    ...op.i32Add,
    ...narrow(value(lo), value(hi)),
    ...op.store(),
  ];
  return { name: 'swishGrad', params: 5, locals: [I32, V128, V128, V128], body: forLoop(i, bytes, op.i32(16), body) };
})();

// channelSums(a, b, end, rowBytes, sums); locals k, v, w, t, tb.
const channelSums = (() => {
  const [a, b, end, rowBytes, sums, k, v, w, t, tb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const accumulate = (at: number, offset: number, term: Code): Code => [
    ...op.get(at),
    ...op.get(at),
    ...op.load(offset),
    ...term,
    ...op.f64x2Add,
    ...op.store(offset),
  ];
  const inner = [
    ...loadAt(a, k, v),
    ...loadAt(b, k, w),
    ...doubled(sums, k, t),
    ...doubled(t, rowBytes, tb),
    ...accumulate(t, 0, lo(v)),
    ...accumulate(t, 16, hi(v)),
    ...accumulate(tb, 0, [...lo(v), ...lo(w), ...op.f64x2Mul]),
    ...accumulate(tb, 16, [...hi(v), ...hi(w), ...op.f64x2Mul]),
  ];
  const row = [...op.i32(0), ...op.set(k), ...forLoop(k, rowBytes, op.i32(16), inner), ...advance(b, rowBytes)];
  return { name: 'channelSums', params: 5, locals: [I32, V128, V128, I32, I32], body: forLoop(a, end, op.get(rowBytes), row) };
})();

/** affine1(a, end, rowBytes, coef, out) or affine2(a, end, rowBytes, coef, out, b). */
function affine(withB: boolean) {
  const [a, end, rowBytes, coef, out, b, k, v, w, c, cb, cs] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  // a·scale (+ b·bScale) + shift, in the JS kernel's order.
  const value = (half: (x: number) => Code, offset: number): Code => [
    ...half(v),
    ...op.get(c),
    ...op.load(offset),
    ...op.f64x2Mul,
    ...(withB ? [...half(w), ...op.get(cb), ...op.load(offset), ...op.f64x2Mul, ...op.f64x2Add] : []),
    ...op.get(cs),
    ...op.load(offset),
    ...op.f64x2Add,
  ];
  const inner = [
    ...loadAt(a, k, v),
    ...(withB ? loadAt(b, k, w) : []),
    ...doubled(coef, k, c),
    ...doubled(c, rowBytes, cb),
    ...doubled(cb, rowBytes, cs),
    ...op.get(out),
    ...op.get(k),
    ...op.i32Add,
    ...narrow(value(lo, 0), value(hi, 16)),
    ...op.store(),
  ];
  const row = [...op.i32(0), ...op.set(k), ...forLoop(k, rowBytes, op.i32(16), inner), ...advance(out, rowBytes), ...(withB ? advance(b, rowBytes) : [])];
  return {
    name: withB ? 'affine2' : 'affine1',
    params: withB ? 6 : 5,
    locals: withB ? [I32, V128, V128, I32, I32, I32] : [I32, I32, V128, V128, I32, I32, I32],
    body: forLoop(a, end, op.get(rowBytes), row),
  };
}

// filterGradRow(x, dy, dw, count, xStep, ciBytes, coBytes); locals cit, cot, xp, dp, xEnd, wp, 8 accumulators, xv, d0, d1, s.
const filterGradRow = (() => {
  const [x, dy, dw, count, xStep, ciBytes, coBytes, cit, cot, xp, dp, xEnd, wp] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const acc = [13, 14, 15, 16, 17, 18, 19, 20];
  const [xv, d0, d1, s] = [21, 22, 23, 24];
  /** Address of row r (input channel cit/4 + r) of the tile in dw. */
  const row = (r: number): Code => [...op.get(wp), ...op.get(coBytes), ...op.i32(r), ...op.i32Mul, ...op.i32Add];
  const loadTile = [0, 1, 2, 3].flatMap((r) => [...row(r), ...op.load(0), ...op.set(acc[2 * r]!), ...row(r), ...op.load(16), ...op.set(acc[2 * r + 1]!)]);
  const storeTile = [0, 1, 2, 3].flatMap((r) => [...row(r), ...op.get(acc[2 * r]!), ...op.store(0), ...row(r), ...op.get(acc[2 * r + 1]!), ...op.store(16)]);
  const madd = (a: number, d: number): Code => [...op.get(a), ...op.get(s), ...op.get(d), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(a)];
  const step = [
    ...op.get(xp),
    ...op.load(0),
    ...op.set(xv),
    ...op.get(dp),
    ...op.load(0),
    ...op.set(d0),
    ...op.get(dp),
    ...op.load(16),
    ...op.set(d1),
    ...[0, 1, 2, 3].flatMap((r) => [...op.get(xv), ...op.get(xv), ...splatLane(r), ...op.set(s), ...madd(acc[2 * r]!, d0), ...madd(acc[2 * r + 1]!, d1)]),
    ...advance(dp, coBytes),
  ];
  const tile = [
    // wp = dw + (cit/4)·coBytes + cot
    ...op.get(cit),
    ...op.i32(2),
    ...op.i32ShrU,
    ...op.get(coBytes),
    ...op.i32Mul,
    ...op.get(dw),
    ...op.i32Add,
    ...op.get(cot),
    ...op.i32Add,
    ...op.set(wp),
    ...loadTile,
    ...[...op.get(x), ...op.get(cit), ...op.i32Add, ...op.set(xp)],
    ...[...op.get(dy), ...op.get(cot), ...op.i32Add, ...op.set(dp)],
    ...[...op.get(xp), ...op.get(count), ...op.get(xStep), ...op.i32Mul, ...op.i32Add, ...op.set(xEnd)],
    ...forLoop(xp, xEnd, op.get(xStep), step),
    ...storeTile,
  ];
  const channelTiles = [...op.i32(0), ...op.set(cot), ...forLoop(cot, coBytes, op.i32(32), tile)];
  return {
    name: 'filterGradRow',
    params: 7,
    locals: [I32, I32, I32, I32, I32, I32, ...Array<number>(12).fill(V128)],
    body: forLoop(cit, ciBytes, op.i32(16), channelTiles),
  };
})();

/** The part of the WebAssembly JS API used here (the trainer compiles without the DOM library). */
declare const WebAssembly: {
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

const MODULE = assembleModule([swishGrad, channelSums, affine(false), affine(true), filterGradRow]);

type Exports = Record<'swishGrad' | 'channelSums' | 'affine1' | 'affine2' | 'filterGradRow', (...args: number[]) => void>;

const instances = new WeakMap<object, SimdKernels | null>();

/** The SIMD kernels over `backend`'s heap, or null where this engine has no wasm SIMD. */
export function simdKernels(backend: WasmBackendMemory): SimdKernels | null {
  const memory = (backend.wasm.asm as { memory?: object } | undefined)?.memory;
  // tfjs-backend-wasm's threaded build (a cross-origin-isolated page) imports a shared memory and does not
  // export it; these kernels import an unshared one, so there the JS kernels run.
  if (!memory || !((memory as { buffer?: unknown }).buffer instanceof ArrayBuffer)) return null;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    kernels = null;
    if (WebAssembly.validate(MODULE)) {
      const fns = new WebAssembly.Instance(new WebAssembly.Module(MODULE), { env: { memory } }).exports as Exports;
      kernels = {
        swishGrad: (dy, x, s, dx, count) => fns.swishGrad(dy, x, s, dx, 4 * count),
        channelSums: (a, b, positions, channels, sums) => fns.channelSums(a, b, a + 4 * positions * channels, 4 * channels, sums),
        filterGradRow: (x, dy, dw, count, xStep, ci, co) => fns.filterGradRow(x, dy, dw, count, xStep, 4 * ci, 4 * co),
        affine: (a, b, positions, channels, coef, out) => {
          const end = a + 4 * positions * channels;
          if (b == null) fns.affine1(a, end, 4 * channels, coef, out);
          else fns.affine2(a, end, 4 * channels, coef, out, b);
        },
      };
    }
    instances.set(memory, kernels);
  }
  return kernels;
}
