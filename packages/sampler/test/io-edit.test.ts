// Loading init images and masks for a model (fit, refuse or resize), and the shard plan/metadata.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  ImageShapeError,
  loadImageForModel,
  loadMaskImage,
  parseShardMetadata,
  parseShardSpec,
  planMerge,
  SHARD_FORMAT,
  type ShardMetadata,
  shardRange,
} from '../src/node/index.js';

const png = (width: number, height: number, channels: 1 | 3, fill: (i: number) => number) =>
  sharp(Uint8Array.from({ length: width * height * channels }, (_, i) => fill(i)), { raw: { width, height, channels } }).png().toBuffer();

describe('loadImageForModel', () => {
  it('maps a fitting gray PNG to [−1, 1] exactly (b / 127.5 − 1)', async () => {
    const bytes = await png(4, 3, 1, (i) => i * 20);
    const { data, fitted } = await loadImageForModel(bytes, [1, 3, 4], { name: 'a.png' });
    expect(fitted).toBeNull();
    expect(Array.from(data)).toEqual(Array.from({ length: 12 }, (_, i) => Math.fround((i * 20) / 127.5 - 1)));
  });

  it('refuses another size or channel count naming both, or resizes and says so', async () => {
    const big = await png(8, 6, 3, (i) => (i * 7) % 256);
    await expect(loadImageForModel(big, [1, 3, 4], { name: 'big.png' })).rejects.toThrow(new ImageShapeError('big.png is 8×6 RGB; the model takes 4×3 gray images'));
    const rgb = await png(4, 3, 3, (i) => i);
    await expect(loadImageForModel(rgb, [1, 3, 4], { name: 'rgb.png' })).rejects.toThrow('rgb.png is 4×3 RGB; the model takes 4×3 gray images');
    const { data, fitted } = await loadImageForModel(big, [1, 3, 4], { name: 'big.png', resize: true });
    expect(fitted).toBe('resized 8×6 RGB to 4×3 gray');
    expect(data.length).toBe(12);
    await expect(loadImageForModel(Uint8Array.of(1, 2, 3), [1, 3, 4], { name: 'x.png' })).rejects.toThrow(/x.png is not a readable image/);
  });
});

describe('loadMaskImage', () => {
  it('white = 1 (keep), black = 0; a mask of another size is refused', async () => {
    const mask = await png(4, 3, 1, (i) => (i < 6 ? 255 : 0));
    expect(Array.from(await loadMaskImage(mask, 3, 4, 'm.png'))).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    await expect(loadMaskImage(mask, 4, 4, 'm.png')).rejects.toThrow('mask m.png is 4×3; the init images are 4×4');
  });
});

describe('shards', () => {
  it('shard i of k holds samples i·⌈N/k⌉ …; bad specs and empty shards are refused', () => {
    expect([0, 1, 2].map((i) => shardRange(10, i, 3))).toEqual([
      { first: 0, count: 4 },
      { first: 4, count: 4 },
      { first: 8, count: 2 },
    ]);
    expect(parseShardSpec('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShardSpec('3/3')).toThrow('shard index must be in [0, 2] for 3 shards, got 3/3');
    expect(() => parseShardSpec('1-3')).toThrow(/given as i\/k/);
    expect(() => shardRange(5, 3, 4)).toThrow('shard 3/4 of 5 samples is empty: at 2 per shard, 3 shards hold all 5 (use i/3)');
  });

  const meta = (index: number, run: Record<string, unknown> = {}): ShardMetadata => ({
    format: SHARD_FORMAT,
    run: { n: 10, seed: 1, model: 'sha256:ab', ...run },
    shard: { index, count: 3 },
    ...shardRange(10, index, 3),
  });

  it('plans a merge in sample order, and refuses other runs, duplicates, gaps and bad sidecars', () => {
    const named = (m: ShardMetadata) => ({ name: `s${m.shard.index}.npy`, meta: m });
    expect(planMerge([meta(2), meta(0), meta(1)].map(named))).toEqual([1, 2, 0]);
    expect(() => planMerge([meta(0), meta(1, { seed: 2 })].map(named))).toThrow('s0.npy and s1.npy are shards of different runs: seed is 1 vs 2');
    expect(() => planMerge([meta(0), meta(1, { model: 'sha256:cd' })].map(named))).toThrow(/model is "sha256:ab" vs "sha256:cd"/);
    expect(() => planMerge([meta(0), meta(2)].map(named))).toThrow('shard 1/3 missing');
    expect(() => planMerge([meta(0), meta(0), meta(1), meta(2)].map(named))).toThrow('s0.npy and s0.npy are both shard 0/3');
    expect(parseShardMetadata(JSON.stringify(meta(1)), 'x.json')).toEqual(meta(1));
    expect(() => parseShardMetadata('{"format": "other"}', 'x.json')).toThrow(`x.json is not an ${SHARD_FORMAT} sidecar`);
  });
});
