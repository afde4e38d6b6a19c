// IDX (LeCun's MNIST format) from bytes: gunzip, header, payload and the labelled dataset. Pure: the
// Node entry reads files into it (idx.ts), the web page reads dropped files into it.
import { DatasetError, Uint8ImageDataset } from './dataset.js';

/** The header and payload of one IDX file; only unsigned-byte data is supported. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** One IDX file's bytes and the name its errors give it (a path, or a dropped file's name). */
export interface IdxBytes {
  name: string;
  bytes: Uint8Array;
}

const IDX_UBYTE = 0x08;

/** Gunzips bytes with the platform's DecompressionStream (browsers, Node ≥ 18). */
async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new DatasetError(`${name}: gzip data is corrupt or truncated (${(err as Error).message})`);
  }
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

/** Parses IDX bytes, gunzipping them first when they start with the gzip magic. */
export async function decodeIdx(file: IdxBytes): Promise<IdxArray> {
  const { bytes, name } = file;
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return parseIdx(gzipped ? await gunzip(bytes, name) : bytes, name);
}

export interface IdxDatasetOptions {
  /** The classes' names (a named dataset). */
  classNames?: string[];
  /** The number of classes, when there are no names (every label must be below it). */
  numClasses?: number;
  /** Hears the class count inferred from the largest label, when neither of the above is given. */
  warn: (line: string) => void;
}

/**
 * IDX images ([N,H,W] or [N,H,W,C]) and optional IDX labels ([N]) as a dataset. The classes are
 * `classNames`, else `numClasses`, else inferred from the largest label, which `warn` reports (a stray
 * label 10 must not silently make an 11-class model); a label beyond them is an error.
 */
export async function idxDataset(spec: string, imagesFile: IdxBytes, labelsFile: IdxBytes | undefined, opts: IdxDatasetOptions): Promise<Uint8ImageDataset> {
  const imagesName = imagesFile.name;
  const images = await decodeIdx(imagesFile);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new DatasetError(`${imagesName}: expected IDX images with 3 dimensions [N,H,W] (or 4 with channels), got [${images.dims.join(', ')}]`);
  }
  const [n, h, w, c = 1] = images.dims as [number, number, number, number?];
  let labels: Int32Array | null = null;
  let names: string[] = [];
  if (labelsFile) {
    const labelsName = labelsFile.name;
    const lab = await decodeIdx(labelsFile);
    if (lab.dims.length !== 1) {
      throw new DatasetError(`${labelsName}: expected IDX labels with 1 dimension, got [${lab.dims.join(', ')}]`);
    }
    if (lab.dims[0] !== n) {
      throw new DatasetError(`${labelsName} has ${lab.dims[0]} labels but ${imagesName.split(/[\\/]/).at(-1)} has ${n} images; they must match`);
    }
    labels = Int32Array.from(lab.data);
    const maxLabel = labels.reduce((a, b) => Math.max(a, b), 0);
    const count = opts.classNames?.length ?? opts.numClasses;
    if (count !== undefined && maxLabel >= count) {
      const at = labels.indexOf(maxLabel);
      throw new DatasetError(
        `${labelsName}: label ${maxLabel} (item ${at}) is out of range: ${opts.classNames ? spec : '--num-classes'} has ${count} classes, 0–${count - 1}` +
          (opts.classNames ? ' (a damaged or different labels file?)' : ''),
      );
    }
    if (count === undefined) {
      opts.warn(`${labelsName}: ${maxLabel + 1} classes (labels 0–${maxLabel}), from its largest label; give --num-classes to set the count`);
    }
    names = opts.classNames ?? Array.from({ length: count ?? maxLabel + 1 }, (_, i) => String(i));
  }
  if (n === 0) throw new DatasetError(`${imagesName}: the IDX file holds no images`);
  const source = labelsFile ? `${imagesName}, ${labelsFile.name}` : imagesName;
  return new Uint8ImageDataset(spec, source, images.data, [h, w, c], labels, names);
}
