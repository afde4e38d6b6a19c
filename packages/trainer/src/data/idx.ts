import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError, Uint8ImageDataset } from './dataset.js';

/** The header and payload of one IDX file (LeCun's MNIST format); only unsigned-byte data is supported. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const IDX_UBYTE = 0x08;

/** Reads an IDX file, gunzipping it when it starts with the gzip magic; errors name the file. */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DatasetError(`cannot read IDX file ${path}: ${(err as Error).message}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new DatasetError(`${path}: gzip data is corrupt or truncated (${(err as Error).message})`);
    }
  }
  return parseIdx(bytes, path);
}

/** Parses IDX bytes: magic 00 00 <type> <ndims>, big-endian uint32 dims, then the data. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError(`${name}: not an IDX file (magic number is '${magic}', expected '00 00 08 <ndims>')`);
  }
  const type = bytes[2]!;
  const ndims = bytes[3]!;
  if (type !== IDX_UBYTE) {
    throw new DatasetError(`${name}: IDX data type 0x${type.toString(16)} is not supported (only 0x08, unsigned byte)`);
  }
  const headerSize = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < headerSize) {
    throw new DatasetError(`${name}: IDX header is truncated or has ${ndims} dimensions`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerSize;
  if (actual !== expected) {
    throw new DatasetError(
      `${name}: header says ${dims.join('×')} = ${expected} bytes of data but the file has ${actual}` +
        (actual < expected ? ' (truncated)' : ''),
    );
  }
  return { dims, data: bytes.subarray(headerSize) };
}

/**
 * Loads IDX images ([N,H,W] or [N,H,W,C]) and optional IDX labels ([N]) as a dataset. The classes are
 * `classNames` (a named dataset), else `numClasses`, else inferred from the largest label, which `warn`
 * reports (a stray label 10 must not silently make an 11-class model); a label beyond them is an error.
 */
export async function loadIdxDataset(
  spec: string,
  imagesPath: string,
  labelsPath: string | undefined,
  classNames?: string[],
  opts: { numClasses?: number; warn?: (line: string) => void } = {},
): Promise<Uint8ImageDataset> {
  const images = await readIdx(imagesPath);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new DatasetError(
      `${imagesPath}: expected IDX images with 3 dimensions [N,H,W] (or 4 with channels), got [${images.dims.join(', ')}]`,
    );
  }
  const [n, h, w, c = 1] = images.dims as [number, number, number, number?];
  let labels: Int32Array | null = null;
  let names: string[] = [];
  if (labelsPath) {
    const lab = await readIdx(labelsPath);
    if (lab.dims.length !== 1) {
      throw new DatasetError(`${labelsPath}: expected IDX labels with 1 dimension, got [${lab.dims.join(', ')}]`);
    }
    if (lab.dims[0] !== n) {
      throw new DatasetError(
        `${labelsPath} has ${lab.dims[0]} labels but ${basename(imagesPath)} has ${n} images; they must match`,
      );
    }
    labels = Int32Array.from(lab.data);
    const maxLabel = labels.reduce((a, b) => Math.max(a, b), 0);
    const count = classNames?.length ?? opts.numClasses;
    if (count !== undefined && maxLabel >= count) {
      const at = labels.indexOf(maxLabel);
      throw new DatasetError(
        `${labelsPath}: label ${maxLabel} (item ${at}) is out of range: ${classNames ? spec : '--num-classes'} has ${count} classes, 0–${count - 1}` +
          (classNames ? ' (a damaged or different labels file?)' : ''),
      );
    }
    if (count === undefined) {
      (opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`)))(
        `${labelsPath}: ${maxLabel + 1} classes (labels 0–${maxLabel}), from its largest label; give --num-classes to set the count`,
      );
    }
    names = classNames ?? Array.from({ length: count ?? maxLabel + 1 }, (_, i) => String(i));
  }
  if (n === 0) throw new DatasetError(`${imagesPath}: the IDX file holds no images`);
  const source = labelsPath ? `${imagesPath}, ${labelsPath}` : imagesPath;
  return new Uint8ImageDataset(spec, source, images.data, [h, w, c], labels, names);
}
