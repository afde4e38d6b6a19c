import { readFile } from 'node:fs/promises';
import { DatasetError, type Uint8ImageDataset } from './dataset.js';
import { decodeIdx, type IdxArray, type IdxBytes, idxDataset } from './idx-bytes.js';

/** Reads one IDX file's bytes; errors name the file. */
async function readIdxFile(path: string): Promise<IdxBytes> {
  try {
    return { name: path, bytes: await readFile(path) };
  } catch (err) {
    throw new DatasetError(`cannot read IDX file ${path}: ${(err as Error).message}`);
  }
}

/** Reads an IDX file, gunzipping it when it starts with the gzip magic; errors name the file. */
export async function readIdx(path: string): Promise<IdxArray> {
  return decodeIdx(await readIdxFile(path));
}

/**
 * Loads IDX images ([N,H,W] or [N,H,W,C]) and optional IDX labels ([N]) from files as a dataset (see
 * idxDataset); the inferred class count is reported on stderr unless `warn` is given.
 */
export async function loadIdxDataset(
  spec: string,
  imagesPath: string,
  labelsPath: string | undefined,
  classNames?: string[],
  opts: { numClasses?: number; warn?: (line: string) => void } = {},
): Promise<Uint8ImageDataset> {
  const images = await readIdxFile(imagesPath);
  const labels = labelsPath ? await readIdxFile(labelsPath) : undefined;
  return idxDataset(spec, images, labels, {
    classNames,
    numClasses: opts.numClasses,
    warn: opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`)),
  });
}
