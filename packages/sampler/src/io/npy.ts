/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0) for float arrays, without any Node
 * or browser API, so the same code reads noise files in Node and in the page.
 *
 * - encodeNpy writes little-endian float32 ('<f4'), C order, version 1.0 (2.0 when the header
 *   would not fit a 16-bit length), header padded so the data starts at a multiple of 64.
 * - decodeNpy reads '<f4' / '>f4' and also '<f8' / '>f8', which it rounds to float32 (NumPy's
 *   `np.random.randn` makes float64 by default, so such files are common). Any other dtype,
 *   Fortran order, a bad magic string or a truncated file is an NpyError saying which.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGN = 64;
/** Float32Array's byte order on this machine: little-endian data can then be copied as bytes. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A malformed or unsupported .npy file; the message names what is wrong. */
export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

export interface NpyArray {
  data: Float32Array;
  shape: number[];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** Encodes a float32 array of the given C-order shape as .npy bytes. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new NpyError(`encodeNpy: bad dimension ${d} in shape [${shape.join(', ')}]`);
  }
  if (sizeOf(shape) !== data.length) {
    throw new NpyError(`encodeNpy: shape [${shape.join(', ')}] holds ${sizeOf(shape)} values but data has ${data.length}`);
  }
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`;
  let version = 1;
  let lengthBytes = 2;
  let headerLen = paddedHeaderLength(dict.length, MAGIC.length + 2 + lengthBytes);
  if (headerLen > 0xffff) {
    version = 2;
    lengthBytes = 4;
    headerLen = paddedHeaderLength(dict.length, MAGIC.length + 2 + lengthBytes);
  }
  const dataOffset = MAGIC.length + 2 + lengthBytes + headerLen;
  const out = new Uint8Array(dataOffset + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (lengthBytes === 2) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  const header = dict.padEnd(headerLen - 1, ' ') + '\n';
  const headerStart = MAGIC.length + 2 + lengthBytes;
  for (let i = 0; i < header.length; i++) out[headerStart + i] = header.charCodeAt(i);
  if (HOST_LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataOffset);
  else for (let i = 0; i < data.length; i++) view.setFloat32(dataOffset + i * 4, data[i]!, true);
  return out;
}

/** Header length (dict + padding + '\n') such that the data starts on an ALIGN boundary. */
function paddedHeaderLength(dictLength: number, prefix: number): number {
  const unpadded = prefix + dictLength + 1;
  return Math.ceil(unpadded / ALIGN) * ALIGN - prefix;
}

/** Decodes .npy bytes holding a float32 or float64 C-order array into float32. */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError('not a .npy file: it does not start with the magic string "\\x93NUMPY"');
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerStart = 10;
    headerLen = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError('truncated .npy file: the header length is cut off');
    headerStart = 12;
    headerLen = view.getUint32(8, true);
  } else {
    throw new NpyError(`unsupported .npy format version ${major}.${bytes[7]} (supported: 1.0, 2.0, 3.0)`);
  }
  const dataOffset = headerStart + headerLen;
  if (bytes.length < dataOffset) {
    throw new NpyError(`truncated .npy file: the header claims ${headerLen} bytes but the file has ${bytes.length - headerStart}`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataOffset));
  const { descr, fortranOrder, shape } = parseHeader(header);
  if (fortranOrder) {
    throw new NpyError(
      `Fortran-order .npy arrays are not supported (shape ${formatShape(shape)}); save with np.ascontiguousarray(a) first`,
    );
  }
  const match = /^([<>|=])f([48])$/.exec(descr);
  if (!match || match[1] === '|') {
    throw new NpyError(`unsupported .npy dtype '${descr}': expected float32 ('<f4') or float64 ('<f8')`);
  }
  // '=' is "native order" and files are written by little-endian machines in practice.
  const littleEndian = match[1] !== '>';
  const itemSize = Number(match[2]);
  const count = sizeOf(shape);
  const expected = count * itemSize;
  const available = bytes.length - dataOffset;
  if (available !== expected) {
    throw new NpyError(
      `${available < expected ? 'truncated' : 'oversized'} .npy file: shape ${formatShape(shape)} of '${descr}' needs ${expected} data bytes, the file has ${available}`,
    );
  }
  const data = new Float32Array(count);
  if (itemSize === 4 && littleEndian === HOST_LITTLE_ENDIAN) {
    new Uint8Array(data.buffer).set(bytes.subarray(dataOffset, dataOffset + expected));
  } else if (itemSize === 4) {
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataOffset + i * 4, littleEndian);
  } else {
    for (let i = 0; i < count; i++) data[i] = view.getFloat64(dataOffset + i * 8, littleEndian);
  }
  return { data, shape };
}

/** Reads the three keys of the header's Python dict literal. */
function parseHeader(header: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  if (!descr) {
    if (/'descr'\s*:\s*\[/.test(header)) throw new NpyError('structured .npy dtypes are not supported: expected a float32 array');
    throw new NpyError(`bad .npy header: no 'descr' key in ${JSON.stringify(header.trim())}`);
  }
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  if (!fortran) throw new NpyError(`bad .npy header: no 'fortran_order' key in ${JSON.stringify(header.trim())}`);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!shapeMatch) throw new NpyError(`bad .npy header: no 'shape' tuple in ${JSON.stringify(header.trim())}`);
  const shape = shapeMatch[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const d = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(d) || d < 0) throw new NpyError(`bad .npy header: dimension '${s}' in shape (${shapeMatch[1]})`);
      return d;
    });
  return { descr: descr[1]!, fortranOrder: fortran[1] === 'True', shape };
}
