/**
 * The editing and sharding flags of `sample` (issue 14): --init/--strength (img2img), --mask/--resample
 * (inpainting), --latents (a run from given x_T, e.g. `invert`'s), --resize, --shard. Parsing,
 * validation and loading happen here, before any sampling; `sample.ts` only passes the result on.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { type DenoiserInfo, parseShardSpec, type SampleEditOptions, type ShardMetadata, shardRange } from '@onnx-ddpm/sampler';
import type { Scheduler } from '@onnx-ddpm/schedule';
import { CliError, intFlag, numberFlag, type OptionSpec, type OptionValues, readFlagFile, stringFlag, stringOption, UsageError } from '../command.js';
import type { SamplerNode } from '../sampler-flags.js';

export const sampleEditOptions: Record<string, OptionSpec> = {
  init: stringOption('<png|dir|npy>', 'img2img/inpainting input: an image, a folder of images or a .npy [M, ...] (sample i uses input i mod M)'),
  strength: stringOption('<s>', 'img2img: noise the input to t = s·T and sample from there; 0 = the input, 1 = from noise (default 0.6; 1 with --mask)'),
  mask: stringOption('<png|npy>', 'inpainting: white (1) = keep the --init pixels, black (0) = generate; a .npy broadcasts to the init shape'),
  resample: stringOption('<r>', 'inpainting: RePaint resampling, runs of each step (default 1)'),
  resize: { type: 'boolean', description: 'resize --init images of another size or channel count instead of refusing them' },
  latents: stringOption('<file.npy>', "start from these x_T [M, ...] (e.g. invert's) instead of noise; x̂_0 is not clipped, so DDIM reproduces the inversion"),
  shard: stringOption('<i/k>', 'shard i of k of the --n samples (samples i·⌈n/k⌉ …), with a .npy.json sidecar for `merge`'),
};

/** The global sample indices a run makes: first … first + count − 1 of its n. */
export interface SampleRange {
  first: number;
  count: number;
  /** `--shard i/k`, or null for a run of all n. */
  shard: { index: number; count: number } | null;
}

/** What the editing flags add to a run: the start and the known region of every sample of its range. */
export interface SampleEdits extends SampleEditOptions {
  /** Identifies the inputs (init, mask, latents, strength, resample) in a shard's sidecar. */
  inputs: Record<string, unknown>;
  /** Notes for stderr (resized images). */
  notes: string[];
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif']);

/** A .npy of items [M, ...item] or one item [...item], as float32 [M × item]. */
async function loadNpyItems(sampler: SamplerNode, path: string, flag: string, itemShape: readonly number[]): Promise<{ data: Float32Array; count: number }> {
  let npy: { data: Float32Array; shape: number[] };
  try {
    npy = sampler.decodeNpy(await readFlagFile(flag, path));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new UsageError(`--${flag} ${path}: ${(err as Error).message}`);
  }
  const item = itemShape.join(', ');
  const { shape } = npy;
  const single = shape.join(', ') === item;
  if (!single && !(shape.length === itemShape.length + 1 && shape.slice(1).join(', ') === item && shape[0]! > 0)) {
    throw new UsageError(`--${flag} ${path} has shape [${shape.join(', ')}]; the model takes items [${item}] (give [M, ${item}])`);
  }
  return { data: npy.data, count: single ? 1 : shape[0]! };
}

/** --init (or `flag`): an image file, a folder of images (sorted by name) or a .npy, as float32 [M × item]. */
export async function loadInit(sampler: SamplerNode, path: string, info: DenoiserInfo, resize: boolean, notes: string[], flag = 'init') {
  if (extname(path).toLowerCase() === '.npy') return loadNpyItems(sampler, path, flag, info.sampleShape);
  if (info.sampleShape.length !== 3) {
    throw new UsageError(`--${flag} ${path}: this model makes items of shape [${info.sampleShape.join(', ')}], not images (give a .npy)`);
  }
  let files = [path];
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  if (isDir) {
    files = (await readdir(path)).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort().map((f) => join(path, f));
    if (files.length === 0) throw new UsageError(`--${flag} ${path}: the folder holds no images (${[...IMAGE_EXTENSIONS].join(', ')})`);
  }
  const itemSize = info.sampleShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(files.length * itemSize);
  for (const [i, file] of files.entries()) {
    const bytes = await readFlagFile(flag, file);
    try {
      const image = await sampler.loadImageForModel(bytes, info.sampleShape, { name: file, resize });
      if (image.fitted) notes.push(`--${flag} ${file}: ${image.fitted}`);
      data.set(image.data, i * itemSize);
    } catch (err) {
      if (err instanceof sampler.ImageShapeError) throw new UsageError(`--${flag} ${(err as Error).message}${resize ? '' : ' (refused; give --resize to resize it)'}`);
      throw err;
    }
  }
  return { data, count: files.length };
}

/** --mask: a PNG (white = keep) at the init's H×W, or a .npy broadcast (NumPy rules) to [M, ...item]. */
async function loadMask(sampler: SamplerNode, path: string, info: DenoiserInfo, initCount: number): Promise<Float32Array> {
  const target = [initCount, ...info.sampleShape];
  const size = target.reduce((a, b) => a * b, 1);
  const bytes = await readFlagFile('mask', path);
  let data: Float32Array;
  let shape: number[];
  if (extname(path).toLowerCase() === '.npy') {
    try {
      ({ data, shape } = sampler.decodeNpy(bytes));
    } catch (err) {
      throw new UsageError(`--mask ${path}: ${(err as Error).message}`);
    }
  } else {
    if (info.sampleShape.length !== 3) throw new UsageError('--mask: an image mask needs an image model (give a .npy)');
    const [, h, w] = info.sampleShape as [number, number, number];
    try {
      data = await sampler.loadMaskImage(bytes, h, w, path);
    } catch (err) {
      throw new UsageError(`--mask ${(err as Error).message}`);
    }
    shape = [h, w];
  }
  const bad = data.findIndex((m) => !(m >= 0 && m <= 1));
  if (bad >= 0) throw new UsageError(`--mask ${path}: values must be in [0, 1] (1 = keep), got ${data[bad]} at index ${bad}`);
  const offset = target.length - shape.length;
  if (offset < 0 || shape.some((d, i) => d !== 1 && d !== target[offset + i])) {
    throw new UsageError(`--mask ${path} has shape [${shape.join(', ')}], which does not broadcast to the init's [${target.join(', ')}]`);
  }
  // Broadcast: element (i_0, …) of the target reads the mask at i_j mod its (1 or equal) dim.
  const out = new Float32Array(size);
  for (let e = 0; e < size; e++) {
    let rest = e;
    let src = 0;
    let stride = 1;
    for (let j = target.length - 1; j >= 0; j--) {
      const idx = rest % target[j]!;
      rest = Math.floor(rest / target[j]!);
      const mj = j - offset;
      if (mj >= 0) {
        if (shape[mj] !== 1) src += idx * stride;
        stride *= shape[mj]!;
      }
    }
    out[e] = data[src]!;
  }
  return out;
}

/** Item i of this run is input (first + i) mod count. */
function tile(data: Float32Array, count: number, itemSize: number, first: number, batch: number): Float32Array {
  const out = new Float32Array(batch * itemSize);
  for (let i = 0; i < batch; i++) {
    const src = ((first + i) % count) * itemSize;
    out.set(data.subarray(src, src + itemSize), i * itemSize);
  }
  return out;
}

function digest(...arrays: Float32Array[]): string {
  const h = createHash('sha256');
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return `sha256:${h.digest('hex')}`;
}

/**
 * The labels of n samples for --class k (every sample k) or, without it, `fallback`: 'cycle' = labels
 * 0, 1, 2, … in turn by sample index (sample's default), 'none' = "no label" (numClasses). null for
 * an unconditional model.
 */
export function classLabelsFlag(classFlag: number | undefined, info: DenoiserInfo, n: number, fallback: 'cycle' | 'none'): Int32Array | null {
  const { numClasses } = info;
  if (classFlag !== undefined) {
    if (numClasses === 0) throw new UsageError(`--class needs a class-conditional model; ${info.name} is unconditional`);
    if (classFlag >= numClasses) throw new UsageError(`--class must be in [0, ${numClasses - 1}], got ${classFlag}`);
    return new Int32Array(n).fill(classFlag);
  }
  if (numClasses === 0) return null;
  return Int32Array.from({ length: n }, (_, i) => (fallback === 'cycle' ? i % numClasses : numClasses));
}

/** Checks the editing/sharding flags without reading files (before the model is loaded). */
export function checkSampleEditFlags(values: OptionValues): void {
  const has = (name: string) => values[name] !== undefined && values[name] !== false;
  const strength = numberFlag(values, 'strength');
  if (strength !== undefined && !(strength >= 0 && strength <= 1)) throw new UsageError(`--strength must be in [0, 1], got ${strength}`);
  if (has('strength') && !has('init')) throw new UsageError('--strength needs --init (the image to start from)');
  if (has('mask') && !has('init')) throw new UsageError('--mask needs --init (the image whose white mask region is kept)');
  if (has('resample') && !has('mask')) throw new UsageError('--resample applies to inpainting (--mask) only');
  intFlag(values, 'resample', 1);
  if (has('resize') && !has('init')) throw new UsageError('--resize applies to --init images');
  if (has('latents') && has('init')) throw new UsageError('give --init (img2img/inpainting) or --latents (a run from x_T), not both');
  if (has('shard')) {
    if (!has('save-npy')) throw new UsageError('--shard needs --save-npy (merge reads the shards’ .npy files and their sidecars)');
    if (has('noise')) throw new UsageError('--shard draws noise from --seed by sample index; it does not take --noise');
  }
  if (has('noise') && (has('init') || has('latents'))) throw new UsageError('--noise does not combine with --init or --latents (they use --seed)');
}

/** --shard i/k: the samples of shard i of a run of n (checked before any work), else all n. */
export function shardFlag(values: OptionValues, n: number): SampleRange {
  const spec = stringFlag(values, 'shard');
  if (spec === undefined) return { first: 0, count: n, shard: null };
  try {
    const shard = parseShardSpec(spec);
    return { ...shardRange(n, shard.index, shard.count), shard };
  } catch (err) {
    throw new UsageError(`--shard: ${(err as Error).message}`);
  }
}

/** Loads the inputs the flags name for the samples of `range`: the start, the known region. */
export async function loadSampleEdits(sampler: SamplerNode, values: OptionValues, info: DenoiserInfo, range: SampleRange, scheduler: Scheduler): Promise<SampleEdits> {
  const notes: string[] = [];
  const { first, count: batch } = range;
  const itemSize = info.sampleShape.reduce((a, b) => a * b, 1);
  const edits: SampleEdits = { inputs: {}, notes };
  const latentsPath = stringFlag(values, 'latents');
  if (latentsPath) {
    const latents = await loadNpyItems(sampler, latentsPath, 'latents', info.sampleShape);
    edits.from = { latents: tile(latents.data, latents.count, itemSize, first, batch) };
    edits.inputs = { latents: digest(latents.data) };
    return edits;
  }
  const initPath = stringFlag(values, 'init');
  if (!initPath) return edits;
  const init = await loadInit(sampler, initPath, info, values.resize === true, notes);
  const x0 = tile(init.data, init.count, itemSize, first, batch);
  const maskPath = stringFlag(values, 'mask');
  const strength = numberFlag(values, 'strength') ?? (maskPath ? 1 : 0.6);
  edits.from = sampler.img2imgStart(scheduler, x0, strength);
  edits.inputs = { init: digest(init.data), strength };
  if (maskPath) {
    const mask = await loadMask(sampler, maskPath, info, init.count);
    const resample = intFlag(values, 'resample', 1) ?? 1;
    edits.inpaint = { x0, mask: tile(mask, init.count, itemSize, first, batch), resample };
    edits.inputs = { ...edits.inputs, mask: digest(mask), resample };
  }
  return edits;
}

/** The edits of samples offset … offset + count − 1 of the run's range (views, no copies), for one batch. */
export function batchEdits(edits: SampleEdits, offset: number, count: number, itemSize: number): SampleEditOptions {
  const part = (a: Float32Array) => a.subarray(offset * itemSize, (offset + count) * itemSize);
  const { from, inpaint } = edits;
  return {
    from: from && ('latents' in from ? { latents: part(from.latents) } : { x0: part(from.x0), step: from.step }),
    inpaint: inpaint && { ...inpaint, x0: part(inpaint.x0), mask: part(inpaint.mask) },
  };
}

/** The sidecar of a shard's .npy: the run's settings (equal across its shards) and this shard's range. */
export function shardSidecar(sampler: SamplerNode, edits: SampleEdits, range: SampleRange, run: Record<string, unknown> & { n: number }): Uint8Array {
  const meta: ShardMetadata = { format: sampler.SHARD_FORMAT, run: { ...run, inputs: edits.inputs }, shard: range.shard!, first: range.first, count: range.count };
  return Buffer.from(`${JSON.stringify(meta, null, 2)}\n`);
}
