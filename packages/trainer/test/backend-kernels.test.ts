import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureGradients, registerTrainingKernels } from '../src/node.js';
import { maxAbsDiff } from '../../../test/arrays.js';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

interface ConvCase {
  batch: number;
  size: number;
  kernel: number;
  stride: number;
  pad: Pad;
  inCh: number;
  outCh: number;
  /** What the case is there for, where its geometry does not say it. */
  note?: string;
}

const explicit = (t: number, b: number, l: number, r: number): Pad => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

/** `3×3 s2 same 7×7 (note)`, from the case's geometry. */
function caseName(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : `explicit t${c.pad[1][0]} b${c.pad[1][1]} l${c.pad[2][0]} r${c.pad[2][1]}`;
  return `${c.kernel}×${c.kernel} s${c.stride} ${pad} ${c.size}×${c.size}${c.note ? ` (${c.note})` : ''}`;
}

const CASES: ConvCase[] = [
  { batch: 1, size: 7, kernel: 3, stride: 1, pad: 'same', inCh: 3, outCh: 5 },
  { batch: 3, size: 7, kernel: 3, stride: 2, pad: 'same', inCh: 2, outCh: 4, note: 'asymmetric TF same' },
  { batch: 3, size: 14, kernel: 3, stride: 2, pad: explicit(1, 1, 1, 1), inCh: 4, outCh: 4, note: 'down-sampling' },
  { batch: 1, size: 7, kernel: 3, stride: 2, pad: 'valid', inCh: 3, outCh: 2, note: 'drops a row' },
  { batch: 3, size: 14, kernel: 3, stride: 1, pad: 'valid', inCh: 2, outCh: 3 },
  { batch: 3, size: 14, kernel: 4, stride: 2, pad: explicit(1, 1, 1, 1), inCh: 3, outCh: 2, note: 'transposed-conv geometry' },
  { batch: 1, size: 7, kernel: 4, stride: 2, pad: explicit(2, 0, 1, 2), inCh: 2, outCh: 3 },
  { batch: 3, size: 28, kernel: 1, stride: 1, pad: 'valid', inCh: 4, outCh: 6, note: 'shortcut' },
  { batch: 1, size: 7, kernel: 1, stride: 2, pad: 'same', inCh: 3, outCh: 2 },
  { batch: 1, size: 28, kernel: 3, stride: 1, pad: 'same', inCh: 1, outCh: 8 },
  { batch: 3, size: 9, kernel: 3, stride: 1, pad: explicit(1, 1, 1, 1), inCh: 5, outCh: 6, note: 'wasm: channels padded to SIMD tiles' },
  { batch: 2, size: 8, kernel: 5, stride: 1, pad: 'same', inCh: 3, outCh: 4, note: 'wasm: channels padded to SIMD tiles' },
  { batch: 4, size: 40, kernel: 3, stride: 1, pad: 'same', inCh: 2, outCh: 3 },
  // Channels by 4 in and by 8 out: whole SIMD tiles, no padding.
  { batch: 2, size: 9, kernel: 3, stride: 1, pad: 'same', inCh: 8, outCh: 16, note: 'wasm: SIMD rows' },
  { batch: 2, size: 10, kernel: 3, stride: 2, pad: explicit(1, 1, 1, 1), inCh: 4, outCh: 8, note: 'wasm: SIMD rows, strided' },
  { batch: 1, size: 7, kernel: 4, stride: 2, pad: explicit(2, 0, 1, 2), inCh: 4, outCh: 8, note: 'wasm: SIMD rows' },
  { batch: 3, size: 5, kernel: 1, stride: 1, pad: 'valid', inCh: 12, outCh: 8, note: 'wasm: SIMD rows' },
  { batch: 1, size: 9, kernel: 5, stride: 1, pad: 'valid', inCh: 4, outCh: 8, note: 'wasm: SIMD rows, rows and columns cut' },
  // 16 input channels: dx on wasm from the SIMD row kernel too (pairs of positions and an odd last one).
  { batch: 2, size: 7, kernel: 3, stride: 1, pad: 'same', inCh: 16, outCh: 8, note: 'wasm: SIMD rows for dx' },
  { batch: 1, size: 9, kernel: 3, stride: 2, pad: explicit(1, 1, 1, 1), inCh: 32, outCh: 3, note: 'wasm: SIMD rows for dx, strided' },
  { batch: 1, size: 7, kernel: 4, stride: 2, pad: explicit(2, 0, 1, 2), inCh: 16, outCh: 5, note: 'wasm: SIMD rows for dx' },
];

/** Deterministic values in [−1, 1). */
function values(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

interface Geometry {
  oh: number;
  ow: number;
  top: number;
  left: number;
}

function geometry(c: ConvCase): Geometry {
  const info = tf.backend_util.computeConv2DInfo(
    [c.batch, c.size, c.size, c.inCh],
    [c.kernel, c.kernel, c.inCh, c.outCh],
    c.stride,
    1,
    c.pad,
  );
  return { oh: info.outHeight, ow: info.outWidth, top: info.padInfo.top, left: info.padInfo.left };
}

/** float64 forward convolution, NHWC × HWIO. */
function conv64(c: ConvCase, g: Geometry, x: Float64Array, w: Float64Array): Float64Array {
  const { batch: n, size: h, kernel: k, stride: s, inCh: ci, outCh: co } = c;
  const y = new Float64Array(n * g.oh * g.ow * co);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < g.oh; i++)
      for (let j = 0; j < g.ow; j++)
        for (let kh = 0; kh < k; kh++) {
          const r = i * s + kh - g.top;
          if (r < 0 || r >= h) continue;
          for (let kw = 0; kw < k; kw++) {
            const q = j * s + kw - g.left;
            if (q < 0 || q >= h) continue;
            for (let a = 0; a < ci; a++) {
              const xv = x[((b * h + r) * h + q) * ci + a]!;
              for (let o = 0; o < co; o++) y[((b * g.oh + i) * g.ow + j) * co + o]! += xv * w[((kh * k + kw) * ci + a) * co + o]!;
            }
          }
        }
  return y;
}

/** L(x, W) = Σ conv(x, W) · dy in float64. */
function loss64(c: ConvCase, g: Geometry, x: Float64Array, w: Float64Array, dy: Float64Array): number {
  const y = conv64(c, g, x, w);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i]! * dy[i]!;
  return sum;
}

/** Up to `max` entry indices spread over [0, n) (every entry when n ≤ max). */
function sampleIndices(n: number, max = 120): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * (n - 1)) / (max - 1)));
}

/** Central finite differences of L with respect to the sampled entries of `wrt` (x or W). */
function finiteDifferences(
  c: ConvCase,
  g: Geometry,
  x: Float64Array,
  w: Float64Array,
  dy: Float64Array,
  wrt: 'x' | 'w',
): Map<number, number> {
  const target = wrt === 'x' ? x : w;
  const grad = new Map<number, number>();
  const h = 1e-3;
  for (const i of sampleIndices(target.length)) {
    const keep = target[i]!;
    target[i] = keep + h;
    const plus = loss64(c, g, x, w, dy);
    target[i] = keep - h;
    const minus = loss64(c, g, x, w, dy);
    target[i] = keep;
    grad.set(i, (plus - minus) / (2 * h));
  }
  return grad;
}

/** max |a[i] − ref(i)| over the finite-difference entries. */
function maxDiffAt(a: ArrayLike<number>, ref: Map<number, number>): number {
  let m = 0;
  for (const [i, v] of ref) m = Math.max(m, Math.abs(a[i]! - v));
  return m;
}


function maxAbs(a: Iterable<number>): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** Runs a kernel config directly (the stock cpu kernels we replace) and returns its values. */
function runStock(kernel: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): Float32Array {
  const backend = tf.backend();
  const out = kernel.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo;
  const vals = backend.readSync(out.dataId) as Float32Array;
  backend.disposeData(out.dataId);
  return vals;
}

let stockCpuFilter: tf.KernelConfig;
let stockCpuInput: tf.KernelConfig;

beforeAll(async () => {
  await ensureGradients();
  await tf.setBackend('cpu');
  stockCpuFilter = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu')!;
  stockCpuInput = tf.getKernel(tf.Conv2DBackpropInput, 'cpu')!;
  expect(stockCpuFilter).toBeDefined();
  registerTrainingKernels('cpu');
  expect(tf.getKernel(tf.Conv2DBackpropFilter, 'cpu')).not.toBe(stockCpuFilter);
  await tf.setBackend('wasm');
  expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();
  registerTrainingKernels('wasm');
  expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
});

describe('Conv2DBackpropFilter / Conv2DBackpropInput built from forward convolutions', () => {
  for (const c of CASES) {
    it(`${caseName(c)}, batch ${c.batch}, ${c.inCh}→${c.outCh} channels`, async () => {
      const g = geometry(c);
      const x = values(c.batch * c.size * c.size * c.inCh, 11);
      const w = values(c.kernel * c.kernel * c.inCh * c.outCh, 23);
      const dy = values(c.batch * g.oh * g.ow * c.outCh, 37);
      const xShape: [number, number, number, number] = [c.batch, c.size, c.size, c.inCh];
      const wShape: [number, number, number, number] = [c.kernel, c.kernel, c.inCh, c.outCh];
      const dyShape = [c.batch, g.oh, g.ow, c.outCh];
      // ∂L/∂W and ∂L/∂x of L = Σ conv(x, W)·dy by central differences in float64.
      const refW = finiteDifferences(c, g, x, w, dy, 'w');
      const refX = finiteDifferences(c, g, x, w, dy, 'x');
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC' };

      await tf.setBackend('cpu');
      const xt = tf.tensor4d(Float32Array.from(x), xShape);
      const wt = tf.tensor4d(Float32Array.from(w), wShape);
      const dyt = tf.tensor4d(Float32Array.from(dy), dyShape as [number, number, number, number]);
      const stockW = runStock(stockCpuFilter, { x: xt, dy: dyt }, { ...attrs, filterShape: wShape });
      const stockX = runStock(stockCpuInput, { dy: dyt, filter: wt }, { ...attrs, inputShape: xShape });
      const tolW = 1e-4 * Math.max(1, maxAbs(refW.values()));
      const tolX = 1e-4 * Math.max(1, maxAbs(refX.values()));
      expect(maxDiffAt(stockW, refW)).toBeLessThan(tolW);
      expect(maxDiffAt(stockX, refX)).toBeLessThan(tolX);

      for (const backend of ['cpu', 'wasm'] as const) {
        await tf.setBackend(backend);
        // Through tf.grads, exactly as training uses the kernels.
        const [gx, gw] = tf.grads((a, b) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dyt)))([
          xt,
          wt,
        ]);
        const gwVals = await gw!.data();
        const gxVals = await gx!.data();
        expect(maxDiffAt(gwVals, refW), `${backend} dW vs finite differences`).toBeLessThan(tolW);
        expect(maxAbsDiff(gwVals, stockW), `${backend} dW vs stock cpu kernel`).toBeLessThan(tolW);
        expect(maxDiffAt(gxVals, refX), `${backend} dx vs finite differences`).toBeLessThan(tolX);
        expect(maxAbsDiff(gxVals, stockX), `${backend} dx vs stock cpu kernel`).toBeLessThan(tolX);
        tf.dispose([gx!, gw!]);
      }
      tf.dispose([xt, wt, dyt]);
    });
  }

  it('transposed convolution (4×4, stride 2, padding 1) forward and both gradients on wasm match cpu', async () => {
    const x = values(3 * 7 * 7 * 5, 5);
    const w = values(4 * 4 * 6 * 5, 6); // [k, k, out, in]
    const up = values(3 * 14 * 14 * 6, 7);
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const xt = tf.tensor4d(Float32Array.from(x), [3, 7, 7, 5]);
      const wt = tf.tensor4d(Float32Array.from(w), [4, 4, 6, 5]);
      const upt = tf.tensor4d(Float32Array.from(up), [3, 14, 14, 6]);
      const f = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2dTranspose(a, b, [3, 14, 14, 6], 2, 1);
      const y = await f(xt, wt).data();
      const [gx, gw] = tf.grads((a, b) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), upt)))([xt, wt]);
      const out = { y, gx: await gx!.data(), gw: await gw!.data() };
      tf.dispose([xt, wt, upt, gx!, gw!]);
      return out;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(maxAbsDiff(wasm.y, cpu.y)).toBeLessThan(1e-4);
    expect(maxAbsDiff(wasm.gx, cpu.gx)).toBeLessThan(1e-3);
    expect(maxAbsDiff(wasm.gw, cpu.gw)).toBeLessThan(1e-3);
  });

  it('rejects NCHW (not what our models use) with a clear message', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 5, 5]) as tf.Tensor4D;
    const dy = tf.zeros([1, 3, 5, 5]) as tf.Tensor4D;
    expect(() =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] }),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});

describe('wasm kernel replacements', () => {
  it('matMul with transposed operands (2-D and batched) equals the cpu result', async () => {
    const a = values(6 * 5, 1);
    const b = values(5 * 4, 2);
    const a3 = values(3 * 6 * 5, 3);
    const b3 = values(3 * 4 * 5, 4);
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const at = tf.tensor2d(Float32Array.from(a), [6, 5]);
        const bt = tf.tensor2d(Float32Array.from(b), [5, 4]);
        const a3t = tf.tensor3d(Float32Array.from(a3), [3, 6, 5]);
        const b3t = tf.tensor3d(Float32Array.from(b3), [3, 4, 5]);
        return [
          tf.matMul(tf.transpose(at), tf.transpose(at), true, false),
          tf.matMul(at, tf.transpose(bt), false, true),
          tf.matMul(tf.transpose(at), tf.transpose(bt), true, true),
          tf.matMul(a3t, b3t, false, true),
          tf.matMul(tf.transpose(a3t, [0, 2, 1]), tf.transpose(b3t, [0, 2, 1]), true, false),
          tf.matMul(a3t, tf.transpose(b3t, [0, 2, 1])),
          tf.matMul(a3t, tf.reshape(tf.transpose(bt), [1, 5, 4])),
          tf.matMul(tf.reshape(at, [1, 6, 5]), tf.transpose(b3t, [0, 2, 1])),
        ].map((t) => t.dataSync());
      });
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    for (const [i, ref] of cpu.entries()) expect(maxAbsDiff(wasm[i]!, ref), `product ${i}`).toBeLessThan(1e-5);
  });

  for (const [name, size, kernel, stride, pad, inCh, outCh] of [
    ['3×3 s1 same 7×7 (SIMD rows: pairs and an odd last position)', 7, 3, 1, 'same', 16, 16],
    ['3×3 s2 explicit 1 9×9 (SIMD rows, strided)', 9, 3, 2, explicit(1, 1, 1, 1), 24, 32],
    ['1×1 s1 valid 6×6 (SIMD rows)', 6, 1, 1, 'valid', 20, 16],
    ['5×5 s1 valid 8×8 (SIMD rows, rows and columns cut)', 8, 5, 1, 'valid', 16, 16],
    ['3×3 s1 same 8×8, 3 input channels (stock kernel)', 8, 3, 1, 'same', 3, 16],
    ['3×3 s1 same 8×8, 8 output channels (stock kernel)', 8, 3, 1, 'same', 16, 8],
  ] as const) {
    it(`fused conv2d with bias, ${name}, equals the cpu result`, async () => {
      const shape: [number, number, number, number] = [2, size, size, inCh];
      const run = async (backend: 'cpu' | 'wasm') => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(Float32Array.from(values(2 * size * size * inCh, 5)), shape);
          const filter = tf.tensor4d(Float32Array.from(values(kernel * kernel * inCh * outCh, 6)), [kernel, kernel, inCh, outCh]);
          const bias = tf.tensor1d(Float32Array.from(values(outCh, 7)));
          return [tf.fused.conv2d({ x, filter, strides: stride, pad, bias }), tf.fused.conv2d({ x, filter, strides: stride, pad })].map((t) =>
            t.dataSync(),
          );
        });
      };
      const cpu = await run('cpu');
      const wasm = await run('wasm');
      for (const [i, ref] of cpu.entries()) expect(maxAbsDiff(wasm[i]!, ref), i === 0 ? 'with bias' : 'without').toBeLessThan(1e-4);
      expect(maxAbs(cpu[0]!)).toBeGreaterThan(1);
    });
  }

  it('Identity and same-dtype Cast share the buffer; a real Cast still converts', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1.5, -2.25, 3]);
    const c = tf.clone(x);
    const same = tf.cast(x, 'float32');
    expect(c.dataId).toBe(x.dataId); // the stock wasm kernels allocate and copy
    expect(same.dataId).toBe(x.dataId);
    expect(Array.from(c.dataSync())).toEqual([1.5, -2.25, 3]);
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]); // still alive after the source is disposed
    const i = tf.cast(same, 'int32');
    expect(i.dtype).toBe('int32');
    expect(Array.from(i.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([c, same, i]);
  });

  it('sum and mean over any axes (float64 accumulation in one pass) equal the cpu result', async () => {
    const v = values(4 * 6 * 5 * 36, 12);
    const axesCases: number[][] = [[0], [1], [3], [0, 1, 2], [1, 3], [0, 2], [0, 1, 2, 3], [2, 3], []];
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const t = tf.tensor4d(Float32Array.from(v), [4, 6, 5, 36]);
        const grouped = tf.reshape(t, [4, 30, 9, 4]); // GroupNorm's [N, HW, G, C/G]
        return [
          ...axesCases.map((axes) => tf.sum(t, axes)),
          ...axesCases.map((axes) => tf.mean(t, axes, true)),
          tf.mean(grouped, [1, 3], true),
          tf.sum(tf.reshape(t, [24, 180]), 0),
        ].map((p) => ({ shape: p.shape, data: p.dataSync() }));
      });
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    for (const [i, ref] of cpu.entries()) {
      expect(wasm[i]!.shape, `reduction ${i}`).toEqual(ref.shape);
      expect(maxAbsDiff(wasm[i]!.data, ref.data), `reduction ${i}`).toBeLessThan(1e-4);
    }
  });

  it('split along any axis (uneven sizes) equals the cpu result', async () => {
    const v = values(2 * 3 * 4 * 7, 9);
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const t = tf.tensor4d(Float32Array.from(v), [2, 3, 4, 7]);
        return [...tf.split(t, [2, 5], 3), ...tf.split(t, [1, 2], 1), ...tf.split(t, 2, 0)].map((p) => ({
          shape: p.shape,
          data: Array.from(p.dataSync()),
        }));
      });
    };
    expect(await run('wasm')).toEqual(await run('cpu'));
  });
});
