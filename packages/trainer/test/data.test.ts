import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { requires, TEST_DEPS } from '../../../test/prereqs.js';
import {
  DatasetError,
  FASHION_MNIST_CLASSES,
  loadDataset,
  loadIdxDataset,
  parseDatasetSpec,
  readIdx,
} from '../src/node.js';

const tmp = mkdtempSync(join(tmpdir(), 'ddpm-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function idxBytes(dims: number[], data: Uint8Array, magic = [0, 0, 8, dims.length]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set(magic);
  const view = new DataView(header.buffer);
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

describe('dataset specs', () => {
  it('parses every kind and rejects unknown ones with the accepted forms', () => {
    expect(parseDatasetSpec('fashion-mnist')).toEqual({ kind: 'named', name: 'fashion-mnist', split: 'train' });
    expect(parseDatasetSpec('mnist:test')).toEqual({ kind: 'named', name: 'mnist', split: 'test' });
    expect(parseDatasetSpec('idx:a.gz,b.gz')).toEqual({ kind: 'idx', images: 'a.gz', labels: 'b.gz' });
    expect(parseDatasetSpec('idx:a')).toEqual({ kind: 'idx', images: 'a' });
    expect(parseDatasetSpec('folder:/x/y')).toEqual({ kind: 'folder', dir: '/x/y' });
    expect(parseDatasetSpec('toy:moons')).toEqual({ kind: 'toy', name: 'moons' });
    expect(() => parseDatasetSpec('toy:spiral')).toThrow(/unknown toy 'spiral'.*s_curve/);
    expect(() => parseDatasetSpec('cifar')).toThrow(/unknown dataset 'cifar'.*fashion-mnist/);
  });

  it('says where it looked when a named dataset is absent', async () => {
    const old = process.env['ONNX_DDPM_DATASETS'];
    process.env['ONNX_DDPM_DATASETS'] = tmp;
    try {
      const err = await loadDataset('mnist').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetError);
      expect((err as Error).message).toContain(join(tmp, 'mnist', 'train-images-idx3-ubyte.gz'));
      expect((err as Error).message).toContain('/usr/share/datasets/mnist/train-images-idx3-ubyte.gz');
    } finally {
      if (old === undefined) delete process.env['ONNX_DDPM_DATASETS'];
      else process.env['ONNX_DDPM_DATASETS'] = old;
    }
  });
});

describe('Fashion-MNIST from the Debian package', requires(TEST_DEPS.fashionMnist), () => {
  it('loads the test split with known labels and pixels scaled to [−1, 1]', async () => {
    const ds = await loadDataset('fashion-mnist:test');
    expect(ds.count).toBe(10000);
    expect(ds.itemShape).toEqual([28, 28, 1]);
    expect(ds.numClasses).toBe(10);
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASSES);
    const x0 = new Float32Array(2 * 784);
    const labels = new Int32Array(2);
    ds.fillBatch([0, 1], x0, labels);
    // The first two t10k items are an ankle boot (9) and a pullover (2).
    expect(Array.from(labels)).toEqual([9, 2]);
    expect(Math.min(...x0)).toBe(-1);
    expect(Math.max(...x0)).toBeLessThanOrEqual(1);
    expect(Math.max(...x0)).toBeGreaterThan(0.9);
  });

  it('loads the train split: item 0 is an ankle boot', async () => {
    const ds = await loadDataset('fashion-mnist');
    expect(ds.count).toBe(60000);
    const labels = new Int32Array(3);
    ds.fillBatch([0, 1, 2], new Float32Array(3 * 784), labels);
    expect(Array.from(labels)).toEqual([9, 0, 0]);
    expect(ds.classNames[labels[0]!]).toBe('Ankle boot');
  });
});

describe('IDX files', () => {
  const pixels = Uint8Array.from({ length: 3 * 4 * 4 }, (_, i) => i * 5);
  const good = join(tmp, 'good-images.gz');
  writeFileSync(good, gzipSync(idxBytes([3, 4, 4], pixels)));
  const goodLabels = join(tmp, 'good-labels');
  writeFileSync(goodLabels, idxBytes([3], Uint8Array.from([2, 0, 1])));

  it('reads gzipped and raw files', async () => {
    const ds = await loadDataset(`idx:${good},${goodLabels}`);
    expect(ds.count).toBe(3);
    expect(ds.itemShape).toEqual([4, 4, 1]);
    expect(ds.numClasses).toBe(3);
    const x0 = new Float32Array(16);
    const labels = new Int32Array(1);
    ds.fillBatch([1], x0, labels);
    expect(labels[0]).toBe(0);
    expect(x0[0]).toBeCloseTo(pixels[16]! / 127.5 - 1, 6);
    const unlabelled = await loadDataset(`idx:${good}`);
    expect(unlabelled.numClasses).toBe(0);
  });

  it('builds a dataset from IDX bytes alone (the core entry, as the web page does): gzipped images, labels, the inferred class count said once', async () => {
    const core = await import('../src/index.js');
    const warnings: string[] = [];
    const images = { name: 'dropped-images.gz', bytes: new Uint8Array(gzipSync(idxBytes([3, 4, 4], pixels))) };
    const labels = { name: 'dropped-labels', bytes: idxBytes([3], Uint8Array.from([2, 0, 1])) };
    const ds = await core.idxDataset('idx:dropped', images, labels, { warn: (line) => warnings.push(line) });
    expect([ds.count, ds.itemShape, ds.numClasses, ds.source]).toEqual([3, [4, 4, 1], 3, 'dropped-images.gz, dropped-labels']);
    expect(warnings).toEqual(['dropped-labels: 3 classes (labels 0–2), from its largest label; give --num-classes to set the count']);
    const x0 = new Float32Array(16);
    ds.fillBatch([2], x0, null);
    expect(x0[5]).toBeCloseTo(pixels[32 + 5]! / 127.5 - 1, 6);
    await expect(core.idxDataset('idx:x', { name: 'notes.txt', bytes: new TextEncoder().encode('hello') }, undefined, { warn: () => {} })).rejects.toThrow(
      /notes\.txt: not an IDX file \(magic number is '68 65 6c 6c'/,
    );
  });

  it('rejects a wrong magic number, naming the file', async () => {
    const path = join(tmp, 'bad-magic');
    writeFileSync(path, idxBytes([3, 4, 4], pixels, [0x50, 0x4b, 3, 4]));
    await expect(readIdx(path)).rejects.toThrow(new RegExp(`${path}: not an IDX file`));
  });

  it('rejects a file shorter than its header says', async () => {
    const path = join(tmp, 'truncated');
    writeFileSync(path, idxBytes([3, 4, 4], pixels).subarray(0, 40));
    await expect(readIdx(path)).rejects.toThrow(/truncated: header says 3×4×4 = 48 bytes of data but the file has 24 \(truncated\)/);
  });

  it('rejects truncated gzip data', async () => {
    const path = join(tmp, 'truncated.gz');
    const gz = gzipSync(idxBytes([3, 4, 4], pixels));
    writeFileSync(path, gz.subarray(0, gz.length - 10));
    await expect(readIdx(path)).rejects.toThrow(/truncated\.gz: gzip data is corrupt or truncated/);
  });

  it('rejects a label count that differs from the image count', async () => {
    const path = join(tmp, 'four-labels');
    writeFileSync(path, idxBytes([4], Uint8Array.from([0, 1, 2, 3])));
    const err = await loadIdxDataset('x', good, path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/four-labels has 4 labels but good-images\.gz has 3 images/);
  });

  it('rejects a missing file with its path', async () => {
    await expect(loadDataset(`idx:${join(tmp, 'nope')}`)).rejects.toThrow(/cannot read IDX file .*nope/);
  });
});

describe('toys', () => {
  it('are deterministic by seed, different across seeds, and roughly unit variance', async () => {
    for (const name of ['s_curve', 'swiss_roll', 'moons', 'gmm']) {
      const a = await loadDataset(`toy:${name}`, { seed: 7, toyCount: 2000 });
      const b = await loadDataset(`toy:${name}`, { seed: 7, toyCount: 2000 });
      const c = await loadDataset(`toy:${name}`, { seed: 8, toyCount: 2000 });
      const idx = Array.from({ length: 2000 }, (_, i) => i);
      const [xa, xb, xc] = [a, b, c].map((ds) => {
        const x = new Float32Array(4000);
        ds.fillBatch(idx, x, null);
        return x;
      });
      expect(a.itemShape).toEqual([2]);
      expect(a.numClasses).toBe(0);
      expect(xa).toEqual(xb);
      expect(xa).not.toEqual(xc);
      for (let axis = 0; axis < 2; axis++) {
        let s = 0;
        let s2 = 0;
        for (let i = 0; i < 2000; i++) {
          s += xa![2 * i + axis]!;
          s2 += xa![2 * i + axis]! ** 2;
        }
        expect(Math.abs(s / 2000)).toBeLessThan(1e-3);
        expect(s2 / 2000).toBeCloseTo(1, 3);
      }
    }
  });
});
