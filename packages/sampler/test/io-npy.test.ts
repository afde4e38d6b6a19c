import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';
import { NpyNoiseSource } from '../src/io/npy-noise.js';
import { decodeNpy, encodeNpy, NpyError } from '../src/io/npy.js';

const PYTHON = '/usr/bin/python3';

const dir = mkdtempSync(join(tmpdir(), 'onnx-ddpm-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(code: string): string {
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout;
}

/** Deterministic values that exercise sign, magnitude and non-trivial mantissas. */
function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 10 ** ((i % 7) - 3));
}

describe('npy interop with NumPy', requires(TEST_DEPS.numpy), () => {
  it('NumPy reads what encodeNpy writes, bit for bit', () => {
    const shape = [2, 3, 4, 5];
    const data = ramp(120);
    const path = join(dir, 'ours.npy');
    writeFileSync(path, encodeNpy(data, shape));
    const out = python(
      `import numpy as np\na = np.load(${JSON.stringify(path)})\n` +
        `print(a.dtype.str, a.shape, a.flags['C_CONTIGUOUS'])\nprint(a.tobytes().hex())`,
    );
    const [meta, hex] = out.trim().split('\n');
    expect(meta).toBe('<f4 (2, 3, 4, 5) True');
    expect(hex).toBe(Buffer.from(data.buffer).toString('hex'));
  });

  it('decodeNpy reads float32 and float64 files written by NumPy (v1.0 and v2.0)', () => {
    const p32 = join(dir, 'np32.npy');
    const p64 = join(dir, 'np64.npy');
    const p2 = join(dir, 'np-v2.npy');
    const p1d = join(dir, 'np-1d.npy');
    python(
      `import numpy as np\nfrom numpy.lib import format as f\n` +
        `rng = np.random.default_rng(3)\na = rng.standard_normal((3, 1, 4, 4)).astype(np.float32)\n` +
        `np.save(${JSON.stringify(p32)}, a)\nnp.save(${JSON.stringify(p64)}, a.astype(np.float64) * 3)\n` +
        `with open(${JSON.stringify(p2)}, 'wb') as fh: f.write_array(fh, a, version=(2, 0))\n` +
        `np.save(${JSON.stringify(p1d)}, np.arange(7, dtype=np.float32))\n` +
        `open(${JSON.stringify(`${p32}.hex`)}, 'w').write(a.tobytes().hex())`,
    );
    const expected = new Float32Array(Uint8Array.from(Buffer.from(readFileSync(`${p32}.hex`, 'utf8'), 'hex')).buffer);
    const a32 = decodeNpy(readFileSync(p32));
    expect(a32.shape).toEqual([3, 1, 4, 4]);
    expect(a32.data).toEqual(expected);
    const a2 = decodeNpy(readFileSync(p2));
    expect(readFileSync(p2)[6]).toBe(2);
    expect(a2.shape).toEqual([3, 1, 4, 4]);
    expect(a2.data).toEqual(expected);
    const a64 = decodeNpy(readFileSync(p64));
    expect(a64.shape).toEqual([3, 1, 4, 4]);
    expect(a64.data).toEqual(expected.map((v) => Math.fround(v * 3)));
    const a1 = decodeNpy(readFileSync(p1d));
    expect(a1.shape).toEqual([7]);
    expect(Array.from(a1.data)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('reads big-endian float32 and float64 files', () => {
    const pb4 = join(dir, 'be4.npy');
    const pb8 = join(dir, 'be8.npy');
    python(
      `import numpy as np\na = np.array([[1.5, -2.25, 3e-8], [4e30, -0.0, 7.0]])\n` +
        `np.save(${JSON.stringify(pb4)}, a.astype('>f4'))\nnp.save(${JSON.stringify(pb8)}, a.astype('>f8'))`,
    );
    const expected = Float32Array.from([1.5, -2.25, 3e-8, 4e30, -0.0, 7.0]);
    for (const p of [pb4, pb8]) {
      const a = decodeNpy(readFileSync(p));
      expect(a.shape).toEqual([2, 3]);
      expect(a.data).toEqual(expected);
    }
  });

  it('rejects Fortran order and non-float dtypes from NumPy with messages that say so', () => {
    const pf = join(dir, 'fortran.npy');
    const pi = join(dir, 'int.npy');
    python(
      `import numpy as np\nnp.save(${JSON.stringify(pf)}, np.asfortranarray(np.ones((3, 2), np.float32)))\n` +
        `np.save(${JSON.stringify(pi)}, np.arange(4, dtype=np.int64))`,
    );
    expect(() => decodeNpy(readFileSync(pf))).toThrow(/Fortran-order/);
    expect(() => decodeNpy(readFileSync(pi))).toThrow(/unsupported \.npy dtype '<i8'/);
  });
});

describe('npy encode/decode', () => {
  it('round-trips, including scalars, empty arrays, and data aligned to 64 bytes', () => {
    for (const shape of [[], [0], [5], [2, 3], [1, 2, 3, 4]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = ramp(n);
      const bytes = encodeNpy(data, shape);
      const headerLen = bytes[8]! | (bytes[9]! << 8);
      expect((10 + headerLen) % 64).toBe(0);
      expect(bytes[10 + headerLen - 1]).toBe(0x0a);
      const back = decodeNpy(bytes);
      expect(back.shape).toEqual(shape);
      expect(back.data).toEqual(data);
    }
  });

  it('decodes from a Uint8Array view at an odd offset', () => {
    const bytes = encodeNpy(ramp(6), [6]);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeNpy(padded.subarray(3)).data).toEqual(ramp(6));
  });

  it('names what is wrong with bad bytes', () => {
    const good = encodeNpy(ramp(8), [2, 4]);
    expect(() => decodeNpy(new TextEncoder().encode('PK\u0003\u0004 a zip file'))).toThrow(NpyError);
    expect(() => decodeNpy(new TextEncoder().encode('hello world'))).toThrow(/magic string/);
    expect(() => decodeNpy(good.subarray(0, 40))).toThrow(/truncated .*header/);
    expect(() => decodeNpy(good.subarray(0, good.length - 4))).toThrow(
      /truncated \.npy file: shape \(2, 4\) of '<f4' needs 32 data bytes, the file has 28/,
    );
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    expect(() => decodeNpy(extra)).toThrow(/oversized/);
    const v9 = good.slice();
    v9[6] = 9;
    expect(() => decodeNpy(v9)).toThrow(/format version 9\.0/);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => encodeNpy(ramp(5), [2, 3])).toThrow(/holds 6 values but data has 5/);
  });
});

describe('NpyNoiseSource', () => {
  const itemShape = [2, 1, 3, 3];
  const frame = 18;

  it('serves frame k as noise index k', () => {
    const data = ramp(4 * frame);
    const source = new NpyNoiseSource({ data, shape: [4, ...itemShape] }, { steps: 3, itemShape });
    const out = new Float32Array(frame);
    for (const k of [0, 3, 1]) {
      source.fill(k, out);
      expect(out).toEqual(data.subarray(k * frame, (k + 1) * frame));
    }
    expect(() => source.fill(4, out)).toThrow(/frame 4 requested .* frames 0\.\.3/);
    expect(() => source.fill(0, new Float32Array(5))).toThrow(/holds 18 values .* has 5/);
    // A batch starting at item 1 of the frame (sample offset for batches or shards) reads its items only.
    const second = new Float32Array(frame / 2);
    source.fill(2, second, frame / 2);
    expect(second).toEqual(data.subarray(2 * frame + frame / 2, 3 * frame));
    expect(() => source.fill(2, second, frame)).toThrow(/holds 18 values .* at offset 18/);
  });

  it('states both shapes when the array does not fit the run', () => {
    const npy = { data: ramp(3 * frame), shape: [3, ...itemShape] };
    expect(() => new NpyNoiseSource(npy, { steps: 3, itemShape })).toThrow(
      /noise array has shape \[3, 2, 1, 3, 3\] but this run needs \[4, 2, 1, 3, 3\]/,
    );
    const flat = { data: ramp(4 * frame), shape: [4, frame] };
    expect(() => new NpyNoiseSource(flat, { steps: 3, itemShape })).toThrow(/\[4, 18\] but this run needs \[4, 2, 1, 3, 3\]/);
  });
});
