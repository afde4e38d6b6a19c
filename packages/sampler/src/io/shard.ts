/**
 * Sharded sampling: `--shard i/k` of a run of N samples takes samples i·⌈N/k⌉ … min(N, (i+1)·⌈N/k⌉) − 1
 * (noise is a pure function of (seed, global sample index), so a shard's samples are those of the
 * full run). Each shard's .npy gets a JSON sidecar `<file>.npy.json` (NumPy refuses extra keys in
 * the .npy header) with the run's settings; merging checks them and the coverage. No Node API.
 */

export const SHARD_FORMAT = 'onnx-ddpm/shard/v1';

/** A bad shard spec, or shards that do not make one run; the message says which and why. */
export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardError';
  }
}

export interface ShardMetadata {
  format: typeof SHARD_FORMAT;
  /** Everything that decides the samples' bytes: model digest, seed, N, sampler settings, EP, … Equal across shards. */
  run: Record<string, unknown> & { n: number };
  shard: { index: number; count: number };
  /** Global index of this shard's first sample, and its number of samples. */
  first: number;
  count: number;
}

/** The sidecar of a shard's .npy file. */
export function shardSidecarPath(npyPath: string): string {
  return `${npyPath}.json`;
}

/** Parses `i/k` (0 ≤ i < k). */
export function parseShardSpec(spec: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  if (!m) throw new ShardError(`a shard is given as i/k (shard i of k, 0 ≤ i < k), got '${spec}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new ShardError(`shard index must be in [0, ${count - 1}] for ${count} shards, got ${spec}`);
  return { index, count };
}

/** The samples of shard `index` of `count` in a run of n: first = index·⌈n/count⌉. Refuses empty shards. */
export function shardRange(n: number, index: number, count: number): { first: number; count: number } {
  const per = Math.ceil(n / count);
  const first = index * per;
  if (first >= n) {
    const useful = Math.ceil(n / per);
    throw new ShardError(`shard ${index}/${count} of ${n} samples is empty: at ${per} per shard, ${useful} shards hold all ${n} (use i/${useful})`);
  }
  return { first, count: Math.min(n, first + per) - first };
}

/** Parses and checks a sidecar's JSON text. */
export function parseShardMetadata(text: string, name: string): ShardMetadata {
  let meta: ShardMetadata;
  try {
    meta = JSON.parse(text) as ShardMetadata;
  } catch (err) {
    throw new ShardError(`${name} is not JSON (${(err as Error).message})`);
  }
  const ok =
    meta?.format === SHARD_FORMAT &&
    typeof meta.run === 'object' &&
    Number.isInteger(meta.run?.n) &&
    Number.isInteger(meta.shard?.index) &&
    Number.isInteger(meta.shard?.count) &&
    Number.isInteger(meta.first) &&
    Number.isInteger(meta.count);
  if (!ok) throw new ShardError(`${name} is not an ${SHARD_FORMAT} sidecar`);
  return meta;
}

/**
 * Checks that `shards` (with the names used in messages) are the k shards of one run, each once:
 * same run settings (the first difference is named), same k, and together samples 0 … N − 1 as
 * shardRange gives them. Returns the indices of `shards` in sample order.
 */
export function planMerge(shards: readonly { name: string; meta: ShardMetadata }[]): number[] {
  if (shards.length === 0) throw new ShardError('nothing to merge');
  const [ref] = shards;
  for (const s of shards.slice(1)) {
    const keys = new Set([...Object.keys(ref!.meta.run), ...Object.keys(s.meta.run)]);
    for (const key of keys) {
      const a = JSON.stringify(ref!.meta.run[key]);
      const b = JSON.stringify(s.meta.run[key]);
      if (a !== b) throw new ShardError(`${ref!.name} and ${s.name} are shards of different runs: ${key} is ${a} vs ${b}`);
    }
    if (s.meta.shard.count !== ref!.meta.shard.count) {
      throw new ShardError(`${ref!.name} is a shard of ${ref!.meta.shard.count}, ${s.name} of ${s.meta.shard.count}`);
    }
  }
  const { count } = ref!.meta.shard;
  const { n } = ref!.meta.run;
  const byIndex = new Map<number, number>();
  shards.forEach((s, i) => {
    const other = byIndex.get(s.meta.shard.index);
    if (other !== undefined) throw new ShardError(`${shards[other]!.name} and ${s.name} are both shard ${s.meta.shard.index}/${count}`);
    const range = shardRange(n, s.meta.shard.index, count);
    if (range.first !== s.meta.first || range.count !== s.meta.count) {
      throw new ShardError(`${s.name} claims samples ${s.meta.first}…+${s.meta.count}, shard ${s.meta.shard.index}/${count} of ${n} is ${range.first}…+${range.count}`);
    }
    byIndex.set(s.meta.shard.index, i);
  });
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i) && i * Math.ceil(n / count) < n);
  if (missing.length > 0) throw new ShardError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`);
  return [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)!);
}
