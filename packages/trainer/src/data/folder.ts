import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { DatasetError, type LoadOptions, Uint8ImageDataset } from './dataset.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);
const DECODE_CONCURRENCY = 8;

function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/** Decodes one image to `size`×`size`×`channels` uint8 (alpha flattened on black, cover-resized, centre-cropped). */
export async function decodeImageFile(path: string, size: number, channels: 1 | 3): Promise<Uint8Array> {
  let pipeline = sharp(path, { failOn: 'warning' }).flatten({ background: '#000000' }).resize(size, size, {
    fit: 'cover',
    position: 'centre',
  });
  pipeline = channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels === channels) return new Uint8Array(data.buffer, data.byteOffset, data.length);
  // sharp keeps a one-band image one band even when sRGB is asked for; replicate or average to match.
  const out = new Uint8Array(size * size * channels);
  for (let p = 0; p < size * size; p++) {
    if (channels === 3) {
      const v = data[p * info.channels]!;
      out[p * 3] = v;
      out[p * 3 + 1] = v;
      out[p * 3 + 2] = v;
    } else {
      let s = 0;
      for (let c = 0; c < info.channels; c++) s += data[p * info.channels + c]!;
      out[p] = Math.round(s / info.channels);
    }
  }
  return out;
}

async function listImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && isImageFile(e.name))
    .map((e) => e.name)
    .sort();
}

/**
 * Loads a folder of PNG/JPEG/WebP images. Sub-folders (sorted by name) are the classes; a flat folder is
 * unlabelled. A file that does not decode is an error naming it, or with `skipBad` one warning with the count.
 */
export async function loadFolderDataset(spec: string, dir: string, opts: LoadOptions = {}): Promise<Uint8ImageDataset> {
  const size = opts.imageSize ?? 32;
  const channels = opts.channels ?? 3;
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    if (!(await stat(dir)).isDirectory()) throw new DatasetError(`${dir} is not a folder`);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError(`cannot read image folder ${dir}: ${(err as Error).message}`);
  }
  const entries = await readdir(dir, { withFileTypes: true });
  const classDirs = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const files: { path: string; label: number }[] = [];
  if (classDirs.length > 0) {
    const stray = (await listImages(dir))[0];
    if (stray) {
      throw new DatasetError(
        `${join(dir, stray)}: folder ${dir} has class sub-folders, so images must be inside them (or remove the sub-folders for an unlabelled set)`,
      );
    }
    for (const [label, name] of classDirs.entries()) {
      for (const file of await listImages(join(dir, name))) files.push({ path: join(dir, name, file), label });
    }
  } else {
    for (const file of await listImages(dir)) files.push({ path: join(dir, file), label: 0 });
  }
  if (files.length === 0) {
    throw new DatasetError(`${dir}: no .png, .jpg, .jpeg or .webp images found (in the folder or its sub-folders)`);
  }

  const itemBytes = size * size * channels;
  const decoded: (Uint8Array | null)[] = new Array(files.length).fill(null);
  const bad: string[] = [];
  for (let start = 0; start < files.length; start += DECODE_CONCURRENCY) {
    const chunk = files.slice(start, start + DECODE_CONCURRENCY);
    await Promise.all(
      chunk.map(async (f, k) => {
        try {
          decoded[start + k] = await decodeImageFile(f.path, size, channels);
        } catch (err) {
          if (!opts.skipBad) {
            throw new DatasetError(`${f.path}: cannot decode image (${(err as Error).message.split('\n')[0]})`);
          }
          bad.push(f.path);
        }
      }),
    );
  }
  if (bad.length > 0) {
    warn(`warning: skipped ${bad.length} unreadable image${bad.length === 1 ? '' : 's'} in ${dir} (first: ${bad.sort()[0]})`);
  }
  const kept = files.map((f, i) => ({ ...f, pixels: decoded[i] })).filter((f) => f.pixels !== null);
  if (kept.length === 0) throw new DatasetError(`${dir}: none of the ${files.length} images could be decoded`);
  const pixels = new Uint8Array(kept.length * itemBytes);
  for (const [i, f] of kept.entries()) pixels.set(f.pixels!, i * itemBytes);
  const labels = classDirs.length > 0 ? Int32Array.from(kept, (f) => f.label) : null;
  return new Uint8ImageDataset(spec, dir, pixels, [size, size, channels], labels, classDirs);
}
