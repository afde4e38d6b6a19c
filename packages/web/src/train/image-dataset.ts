// A dropped or opened image folder as a training set, decoded in the training worker (createImageBitmap
// and an OffscreenCanvas): the browser's counterpart of the trainer's folder loader (sharp, in Node), with
// the same conventions: alpha flattened on black, cover-resized and centre-cropped, sub-folders are classes.
import { DatasetError, Uint8ImageDataset } from '@onnx-ddpm/trainer';
import type { ImageFileEntry } from './protocol.js';

const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;

/** The files' paths below the folder that was dropped (its own name removed when every path has it). */
function relativePaths(files: ImageFileEntry[]): string[][] {
  const parts = files.map((f) => f.path.split('/').filter((p) => p !== ''));
  const first = parts[0]?.[0];
  const shared = parts.every((p) => p.length >= 2 && p[0] === first);
  return shared ? parts.map((p) => p.slice(1)) : parts;
}

/** One image as size×size×channels bytes. */
async function decodeImage(file: Blob, size: number, channels: 1 | 3): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, size, size);
  const scale = Math.max(size / bitmap.width, size / bitmap.height);
  const [w, h] = [bitmap.width * scale, bitmap.height * scale];
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, (size - w) / 2, (size - h) / 2, w, h);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, size, size).data;
  const out = new Uint8Array(size * size * channels);
  for (let p = 0; p < size * size; p++) {
    const [r, g, b] = [rgba[4 * p]!, rgba[4 * p + 1]!, rgba[4 * p + 2]!];
    if (channels === 1) out[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else out.set([r, g, b], 3 * p);
  }
  return out;
}

/** The image files of a dropped folder (others, such as .DS_Store, are left out) as a dataset. */
export async function imageFolderDataset(name: string, entries: ImageFileEntry[], size: number, channels: 1 | 3): Promise<Uint8ImageDataset> {
  const files = entries.filter((f) => IMAGE_FILE.test(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (files.length === 0) throw new DatasetError(`${name}: no .png, .jpg, .jpeg or .webp images found (in the folder or its sub-folders)`);
  const paths = relativePaths(files);
  const labelled = paths.some((p) => p.length >= 2);
  const stray = paths.findIndex((p) => p.length < 2);
  if (labelled && stray >= 0) {
    throw new DatasetError(`${files[stray]!.path}: ${name} has class sub-folders, so images must be inside them (or remove the sub-folders for an unlabelled set)`);
  }
  const classNames = labelled ? [...new Set(paths.map((p) => p[0]!))].sort() : [];
  const itemBytes = size * size * channels;
  const pixels = new Uint8Array(files.length * itemBytes);
  for (const [i, f] of files.entries()) {
    try {
      pixels.set(await decodeImage(f.file, size, channels), i * itemBytes);
    } catch (err) {
      throw new DatasetError(`${f.path}: cannot decode image (${(err as Error).message})`);
    }
  }
  const labels = labelled ? Int32Array.from(paths, (p) => classNames.indexOf(p[0]!)) : null;
  return new Uint8ImageDataset(`folder:${name}`, name, pixels, [size, size, channels], labels, classNames);
}
