import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './dataset.js';

/** Class names of the labelled datasets we know by name. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export type NamedDataset = 'fashion-mnist' | 'mnist';
export type Split = 'train' | 'test';

/** Folders searched for a named dataset: `$ONNX_DDPM_DATASETS/<name>` first, then Debian's /usr/share/datasets/<name>. */
export function namedDatasetDirs(name: NamedDataset): string[] {
  const dirs: string[] = [];
  const env = process.env['ONNX_DDPM_DATASETS'];
  if (env) dirs.push(join(env, name));
  dirs.push(join('/usr/share/datasets', name));
  return dirs;
}

/** Finds the IDX image and label files of a named dataset's split (`.gz` or raw); the error lists where it looked. */
export function locateNamedDataset(name: NamedDataset, split: Split): { images: string; labels: string } {
  const prefix = split === 'train' ? 'train' : 't10k';
  const tried: string[] = [];
  for (const dir of namedDatasetDirs(name)) {
    const find = (base: string): string | undefined => {
      for (const candidate of [`${base}.gz`, base]) {
        const path = join(dir, candidate);
        tried.push(path);
        if (existsSync(path)) return path;
      }
      return undefined;
    };
    const images = find(`${prefix}-images-idx3-ubyte`);
    const labels = find(`${prefix}-labels-idx1-ubyte`);
    if (images && labels) return { images, labels };
  }
  const hint =
    name === 'fashion-mnist'
      ? "install Debian's dataset-fashion-mnist package"
      : 'put the MNIST IDX files (train-images-idx3-ubyte.gz, …) in one of those folders';
  throw new DatasetError(
    `${name} (${split} split) not found; looked for:\n  ${tried.join('\n  ')}\n` +
      `(${hint}, set ONNX_DDPM_DATASETS=<dir> containing ${name}/, or use idx:<images>[,<labels>])`,
  );
}
