import { assembleModule, type Code, HIGH_HALF, I32, JOIN_HALVES, op, V128 } from './wasm-assembler.js';
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
  /**
   * dst[j·dstStep + d] += Σ_c src[j·srcStep + c]·w[c·D + d] over `count` positions j: a row of
   * positions (NHWC, any position strides) times one filter tap's [C, D] matrix, D % 16 = 0. The input
   * gradient scatters dy through Wᵀ this way, the forward convolution gathers x through W.
   * Float32, tiles of 2 positions × 16 output channels held in registers.
   */
  rowTimesWeights(src: number, dst: number, w: number, count: number, srcStep: number, dstStep: number, dstChannels: number, sumChannels: number): void;
}

/** Leaves the enclosing block `depth` levels out when local i ≥ local limit (unsigned). */
const exitIfAtLeast = (i: number, limit: number, depth: number): Code => [...op.get(i), ...op.get(limit), ...op.i32GeU, ...op.brIf(depth)];

/** for (i; i < limit; i += step) body, with i and limit locals. */
function forLoop(i: number, limit: number, step: Code, body: Code): Code {
  return [
    ...op.block,
    ...op.loop,
    ...exitIfAtLeast(i, limit, 1),
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
/** Stores the float32x4 narrowed from the float64x2 halves `low`, `high` at base + k. */
const storeNarrowedAt = (base: number, k: number, low: Code, high: Code): Code => [...op.get(base), ...op.get(k), ...op.i32Add, ...narrow(low, high), ...op.store()];
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
    ...storeNarrowedAt(dx, i, value(lo), value(hi)),
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
    ...storeNarrowedAt(out, k, value(lo, 0), value(hi, 16)),
  ];
  const row = [...op.i32(0), ...op.set(k), ...forLoop(k, rowBytes, op.i32(16), inner), ...advance(out, rowBytes), ...(withB ? advance(b, rowBytes) : [])];
  return {
    name: withB ? 'affine2' : 'affine1',
    params: withB ? 6 : 5,
    locals: withB ? [I32, V128, V128, I32, I32, I32] : [I32, I32, V128, V128, I32, I32, I32],
    body: forLoop(a, end, op.get(rowBytes), row),
  };
}

// filterGradRow(x, dy, dw, count, xStep, ciBytes, coBytes); locals cit, cot, xp, dp, xEnd, wp, 8 accumulators, d0, d1, s.
const filterGradRow = (() => {
  const [x, dy, dw, count, xStep, ciBytes, coBytes, cit, cot, xp, dp, xEnd, wp] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const acc = [13, 14, 15, 16, 17, 18, 19, 20];
  const [d0, d1, s] = [21, 22, 23];
  /** Address of row r (input channel cit/4 + r) of the tile in dw. */
  const row = (r: number): Code => [...op.get(wp), ...op.get(coBytes), ...op.i32(r), ...op.i32Mul, ...op.i32Add];
  const loadTile = [0, 1, 2, 3].flatMap((r) => [...row(r), ...op.load(0), ...op.set(acc[2 * r]!), ...row(r), ...op.load(16), ...op.set(acc[2 * r + 1]!)]);
  const storeTile = [0, 1, 2, 3].flatMap((r) => [...row(r), ...op.get(acc[2 * r]!), ...op.store(0), ...row(r), ...op.get(acc[2 * r + 1]!), ...op.store(16)]);
  const madd = (a: number, d: number): Code => [...op.get(a), ...op.get(s), ...op.get(d), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(a)];
  const step = [
    ...op.get(dp),
    ...op.load(0),
    ...op.set(d0),
    ...op.get(dp),
    ...op.load(16),
    ...op.set(d1),
    ...[0, 1, 2, 3].flatMap((r) => [...op.get(xp), ...op.loadSplat(4 * r), ...op.set(s), ...madd(acc[2 * r]!, d0), ...madd(acc[2 * r + 1]!, d1)]),
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
    locals: [I32, I32, I32, I32, I32, I32, ...Array<number>(11).fill(V128)],
    body: forLoop(cit, ciBytes, op.i32(16), channelTiles),
  };
})();

// rowTimesWeights(src, dst, w, count, srcStep, dstStep, dstBytes, sumBytes); locals ct, sp, dp, pairsEnd, end, wp, q, qEnd,
// twoSrc, 8 accumulators, 2 splats, 4 weight vectors.
const rowTimesWeights = (() => {
  const [src, dst, w, count, srcStep, dstStep, dstBytes, sumBytes, ct, sp, dp, pairsEnd, end, wp, q, qEnd, twoSrc] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
  ];
  const acc = [17, 18, 19, 20, 21, 22, 23, 24];
  const [s0, s1] = [25, 26];
  const wv = [27, 28, 29, 30];
  const set = (local: number, code: Code): Code => [...code, ...op.set(local)];
  const sum = (a: number, b: number): Code => [...op.get(a), ...op.get(b), ...op.i32Add];
  /** acc[k] of position `pos` (0, 1) ↔ dst at dp (+ dstStep for position 1) + 16k. */
  const at = (pos: number): Code => (pos === 0 ? op.get(dp) : sum(dp, dstStep));
  const loadAcc = (positions: number): Code =>
    [0, 1].slice(0, positions).flatMap((pos) => [0, 1, 2, 3].flatMap((k) => [...at(pos), ...op.load(16 * k), ...op.set(acc[4 * pos + k]!)]));
  const storeAcc = (positions: number): Code =>
    [0, 1].slice(0, positions).flatMap((pos) => [0, 1, 2, 3].flatMap((k) => [...at(pos), ...op.get(acc[4 * pos + k]!), ...op.store(16 * k)]));
  const madd = (a: number, d: number, v: number): Code => [...op.get(a), ...op.get(d), ...op.get(v), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(a)];
  /** Σ over the summed channels c: acc[pos] += src[pos, c] · w[c, ct…ct+16]. */
  const reduce = (positions: number): Code => {
    const step = [
      ...set(s0, [...op.get(q), ...op.loadSplat(0)]),
      ...(positions === 2 ? set(s1, [...sum(q, srcStep), ...op.loadSplat(0)]) : []),
      ...[0, 1, 2, 3].flatMap((k) => set(wv[k]!, [...op.get(wp), ...op.load(16 * k)])),
      ...[0, 1, 2, 3].flatMap((k) => madd(acc[k]!, s0, wv[k]!)),
      ...(positions === 2 ? [0, 1, 2, 3].flatMap((k) => madd(acc[4 + k]!, s1, wv[k]!)) : []),
      ...advance(wp, dstBytes),
    ];
    return [...set(wp, sum(w, ct)), ...set(q, op.get(sp)), ...set(qEnd, sum(sp, sumBytes)), ...forLoop(q, qEnd, op.i32(4), step)];
  };
  const pair = [...loadAcc(2), ...reduce(2), ...storeAcc(2), ...advance(dp, dstStep), ...advance(dp, dstStep)];
  const single = [...loadAcc(1), ...reduce(1), ...storeAcc(1)];
  const channelTile = [
    ...set(sp, op.get(src)),
    ...set(dp, sum(dst, ct)),
    ...forLoop(sp, pairsEnd, op.get(twoSrc), pair),
    // an odd last position
    ...op.block,
    ...exitIfAtLeast(sp, end, 0),
    ...single,
    ...op.end,
  ];
  const setup = [
    ...set(twoSrc, sum(srcStep, srcStep)),
    ...set(end, [...op.get(src), ...op.get(count), ...op.get(srcStep), ...op.i32Mul, ...op.i32Add]),
    ...set(pairsEnd, [...op.get(src), ...op.get(count), ...op.i32(-2), ...op.i32And, ...op.get(srcStep), ...op.i32Mul, ...op.i32Add]),
  ];
  return {
    name: 'rowTimesWeights',
    params: 8,
    locals: [...Array<number>(9).fill(I32), ...Array<number>(14).fill(V128)],
    body: [...setup, ...forLoop(ct, dstBytes, op.i32(64), channelTile)],
  };
})();

/** The part of the WebAssembly JS API used here (the trainer compiles without the DOM library). */
declare const WebAssembly: {
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

const MODULE = assembleModule([swishGrad, channelSums, affine(false), affine(true), filterGradRow, rowTimesWeights]);

type Exports = Record<'swishGrad' | 'channelSums' | 'affine1' | 'affine2' | 'filterGradRow' | 'rowTimesWeights', (...args: number[]) => void>;

const instances = new WeakMap<object, SimdKernels | null>();

/** Our module over `memory`, or null where it cannot run there (no wasm SIMD; a shared memory of the threaded build). */
function instantiate(memory: object): Exports | null {
  if (!WebAssembly.validate(MODULE)) return null;
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(MODULE), { env: { memory } }).exports as Exports;
  } catch {
    return null;
  }
}

/** The SIMD kernels over `backend`'s heap, or null where they cannot run (the JS loops and stock kernels remain). */
export function simdKernels(backend: WasmBackendMemory): SimdKernels | null {
  const memory = backend.wasm.asm?.memory;
  if (memory == null) return null;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const fns = instantiate(memory);
    kernels =
      fns == null
        ? null
        : {
            swishGrad: (dy, x, s, dx, count) => fns.swishGrad(dy, x, s, dx, 4 * count),
            channelSums: (a, b, positions, channels, sums) => fns.channelSums(a, b, a + 4 * positions * channels, 4 * channels, sums),
            filterGradRow: (x, dy, dw, count, xStep, ci, co) => fns.filterGradRow(x, dy, dw, count, xStep, 4 * ci, 4 * co),
            rowTimesWeights: (src, dst, w, count, srcStep, dstStep, d, c) => fns.rowTimesWeights(src, dst, w, count, srcStep, dstStep, 4 * d, 4 * c),
            affine: (a, b, positions, channels, coef, out) => {
              const end = a + 4 * positions * channels;
              if (b == null) fns.affine1(a, end, 4 * channels, coef, out);
              else fns.affine2(a, end, 4 * channels, coef, out, b);
            },
          };
    instances.set(memory, kernels);
  }
  return kernels;
}
