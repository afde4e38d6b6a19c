import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { replaceFolderAtomic } from '../files/index.js';
import type { TrainConfig } from './config.js';
import type { ReplicaState } from './state.js';

const FORMAT = 'onnx-ddpm-checkpoint';
const VERSION = 1;
const MANIFEST = 'checkpoint.json';
const PARTS = { weights: 'weights.bin', ema: 'ema.bin', adamM: 'adam_m.bin', adamV: 'adam_v.bin' } as const;
type Part = keyof typeof PARTS;
/** How a part's floats are stored: float32, or bfloat16 (the top 16 bits, rounded to nearest even). */
type StoredType = 'float32' | 'bfloat16';

/** A saved training state: enough to resume bitwise-exactly or to export. */
export interface Checkpoint {
  /** Completed optimiser steps. */
  step: number;
  config: TrainConfig;
  /** Weight names and shapes in params order. */
  params: { name: string; shape: number[] }[];
  state: ReplicaState;
  /** Latest training loss, its running average, and the backend that produced them. */
  metrics: { loss: number; emaLoss: number; backend: string; elapsedSeconds: number };
  /** The folder it was read from (set by loadCheckpoint). */
  dir?: string;
  /** Read from a compact checkpoint: Adam's first moments restart at zero, its second moments were rounded to bfloat16. */
  compact?: boolean;
}

/** A checkpoint that is missing, from another program, or damaged; the message names the file. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

interface Manifest {
  format: typeof FORMAT;
  version: number;
  step: number;
  config: TrainConfig;
  params: { name: string; shape: number[] }[];
  metrics: Checkpoint['metrics'];
  /** A compact checkpoint leaves out adamM and stores adamV as bfloat16. */
  compact?: boolean;
  files: Partial<Record<Part, { bytes: number; crc32: number; dtype?: StoredType }>>;
  savedAt: string;
}

/** Writes `data` to `path` and fsyncs it before returning. */
function writeFileDurably(path: string, data: Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function concat(arrays: Float32Array[]): Uint8Array {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return new Uint8Array(out.buffer);
}

/** float32 → bfloat16 bits, rounding to nearest even (the values here are finite). */
function toBfloat16(arrays: Float32Array[]): Uint8Array {
  const bits = new Uint32Array(concat(arrays).buffer);
  const out = new Uint16Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const u = bits[i]!;
    out[i] = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
  }
  return new Uint8Array(out.buffer);
}

function fromBfloat16(bytes: Uint8Array, count: number): Float32Array {
  const half = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 2));
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = half[i]! << 16;
  return new Float32Array(out.buffer);
}

function manifestOf(ckpt: Checkpoint, files: Manifest['files'], compact: boolean): Manifest {
  return {
    format: FORMAT,
    version: VERSION,
    step: ckpt.step,
    config: ckpt.config,
    params: ckpt.params,
    metrics: ckpt.metrics,
    ...(compact ? { compact } : {}),
    files,
    savedAt: new Date().toISOString(),
  };
}

/** Writes the parts and the manifest into `dir` (which exists and is empty) and fsyncs them. */
function writeSnapshot(dir: string, ckpt: Checkpoint, compact: boolean): void {
  const files: Manifest['files'] = {};
  for (const part of Object.keys(PARTS) as Part[]) {
    if (compact && part === 'adamM') continue;
    const dtype: StoredType = compact && part === 'adamV' ? 'bfloat16' : 'float32';
    const bytes = dtype === 'bfloat16' ? toBfloat16(ckpt.state[part]) : concat(ckpt.state[part]);
    writeFileDurably(join(dir, PARTS[part]), bytes);
    files[part] = { bytes: bytes.length, crc32: crc32(bytes), ...(dtype === 'float32' ? {} : { dtype }) };
  }
  const manifest = manifestOf(ckpt, files, compact);
  writeFileDurably(join(dir, MANIFEST), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  fsyncDir(dir);
}

/** The path of a run's latest good checkpoint (a symlink to the newest complete snapshot). */
function latestCheckpointPath(runDir: string): string {
  return join(runDir, 'checkpoint');
}

/**
 * Saves a checkpoint of a run crash-safely: the snapshot is written and fsynced in a temporary folder,
 * renamed to `<run>/checkpoints/step-<N>-<id>`, and only then does `<run>/checkpoint` (a symlink) move to
 * it, by an atomic rename. A kill at any moment leaves `<run>/checkpoint` pointing at a complete snapshot.
 * Older snapshots and leftovers of interrupted saves are removed afterwards. Returns the snapshot folder.
 */
export async function saveCheckpoint(runDir: string, ckpt: Checkpoint): Promise<string> {
  const snapshots = join(runDir, 'checkpoints');
  await mkdir(snapshots, { recursive: true });
  const id = `${process.pid}-${Date.now().toString(36)}`;
  const name = `step-${String(ckpt.step).padStart(9, '0')}-${id}`;
  const tmp = join(snapshots, `.tmp-${name}`);
  await mkdir(tmp);
  writeSnapshot(tmp, ckpt, false);
  const final = join(snapshots, name);
  await rename(tmp, final);
  fsyncDir(snapshots);
  const link = latestCheckpointPath(runDir);
  const tmpLink = join(runDir, `.checkpoint.tmp-${id}`);
  await symlink(join('checkpoints', name), tmpLink);
  await rename(tmpLink, link);
  fsyncDir(runDir);
  await pruneSnapshots(runDir);
  return final;
}

/**
 * Writes a compact copy of a checkpoint into the folder `dir` (replacing it whole, by renames): weights and
 * EMA as float32, Adam's second moments as bfloat16, no first moments (they forget in ~10 steps at β₁ = 0.9).
 * About 2.5× smaller than a full checkpoint, so a long run can be committed and continued elsewhere;
 * resuming from it is not bitwise-exact. `extra` files (e.g. the run's log.jsonl) are copied in beside it.
 */
export async function saveCompactCheckpoint(dir: string, ckpt: Checkpoint, extra: Record<string, Uint8Array> = {}): Promise<void> {
  await replaceFolderAtomic(dir, (tmp) => {
    for (const [name, bytes] of Object.entries(extra)) writeFileDurably(join(tmp, name), bytes);
    writeSnapshot(tmp, ckpt, true);
  });
}

/** Removes every snapshot but the one `<run>/checkpoint` points at, and leftovers of interrupted saves. */
async function pruneSnapshots(runDir: string): Promise<void> {
  const current = basename(await readlink(latestCheckpointPath(runDir)));
  for (const entry of await readdir(join(runDir, 'checkpoints'))) {
    if (entry !== current) await rm(join(runDir, 'checkpoints', entry), { recursive: true, force: true });
  }
  for (const entry of await readdir(runDir)) {
    if (entry.startsWith('.checkpoint.tmp-')) await rm(join(runDir, entry), { force: true });
  }
}

/** Whether `dir` is (or is a run folder holding) a checkpoint. */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  for (const candidate of [join(dir, MANIFEST), join(dir, 'checkpoint', MANIFEST)]) {
    if (await stat(candidate).then(() => true, () => false)) return true;
  }
  return false;
}

/**
 * Reads a checkpoint folder (or a run folder's latest checkpoint), checking each file's size and
 * CRC-32 against the manifest.
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  let ckptDir = dir;
  if (!(await stat(join(dir, MANIFEST)).then(() => true, () => false))) {
    if (await stat(join(dir, 'checkpoint', MANIFEST)).then(() => true, () => false)) ckptDir = join(dir, 'checkpoint');
    else throw new CheckpointError(`${dir}: no checkpoint here (no ${MANIFEST} in it or in ${join(dir, 'checkpoint')})`);
  }
  const manifestPath = join(ckptDir, MANIFEST);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest;
  } catch (err) {
    throw new CheckpointError(`${manifestPath}: cannot read the manifest (${(err as Error).message})`);
  }
  if (manifest.format !== FORMAT || manifest.version !== VERSION) {
    throw new CheckpointError(`${manifestPath}: not an ${FORMAT} v${VERSION} manifest`);
  }
  const sizes = manifest.params.map((p) => p.shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const state = {} as ReplicaState;
  for (const part of Object.keys(PARTS) as Part[]) {
    const expected = manifest.files[part];
    if (!expected && manifest.compact && part === 'adamM') {
      state[part] = sizes.map((n) => new Float32Array(n));
      continue;
    }
    const path = join(ckptDir, PARTS[part]);
    if (!expected) throw new CheckpointError(`${manifestPath}: lists no ${PARTS[part]}`);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw new CheckpointError(`${path}: cannot read (${(err as Error).message})`);
    }
    const dtype = expected.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'bfloat16') throw new CheckpointError(`${manifestPath}: unknown dtype '${dtype}' of ${PARTS[part]}`);
    const width = dtype === 'bfloat16' ? 2 : 4;
    if (bytes.length !== expected.bytes || bytes.length !== total * width) {
      throw new CheckpointError(`${path}: has ${bytes.length} bytes, the manifest says ${expected.bytes} (${total} ${dtype} values)`);
    }
    if (crc32(bytes) !== expected.crc32) throw new CheckpointError(`${path}: CRC-32 mismatch, the file is damaged`);
    let all: Float32Array;
    if (dtype === 'bfloat16') {
      all = fromBfloat16(bytes, total);
    } else {
      all = new Float32Array(total);
      new Uint8Array(all.buffer).set(bytes);
    }
    const arrays: Float32Array[] = [];
    let offset = 0;
    for (const n of sizes) {
      arrays.push(all.slice(offset, offset + n));
      offset += n;
    }
    state[part] = arrays;
  }
  return {
    step: manifest.step,
    config: manifest.config,
    params: manifest.params,
    state,
    metrics: manifest.metrics,
    dir: ckptDir,
    ...(manifest.compact ? { compact: true } : {}),
  };
}
