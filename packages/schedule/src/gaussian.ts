/**
 * Seeded Gaussian noise that depends only on (seed, stream, element index): Philox4x32-10 +
 * Box–Muller with this package's own ln/sin/cos, so Node and every browser produce the same bits.
 *
 * Layout: element e of a stream lies in block b = ⌊e/4⌋, lane e mod 4. The block's 4 words are
 * philox4x32(counter = (b mod 2^32, ⌊b/2^32⌋, stream mod 2^32, ⌊stream/2^32⌋),
 *            key = (seed mod 2^32, ⌊seed/2^32⌋)) = (u0, u1, u2, u3).
 * Box–Muller on (u0, u1) gives lanes 0, 1 and on (u2, u3) lanes 2, 3:
 * U = (u_even + 1)/2^32 ∈ (0, 1], θ = 2π·u_odd/2^32, r = √(−2 ln U),
 * lane_even = r cos θ, lane_odd = r sin θ; each stored as float32.
 */

import { cos, ln, sin } from './elementary.js';
import { philoxBlock } from './philox.js';

const TWO_POW_32 = 4294967296;
const TWO_PI = 2 * Math.PI;
const MAX_SEED = (1n << 64n) - 1n;

/** The Philox key words (low, high) of a seed; throws on a seed outside the documented range. */
function keyOf(seed: number | bigint): [number, number] {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed > MAX_SEED) throw new RangeError(`seed must be an integer in [0, 2^64), got ${seed}`);
    return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be an integer in [0, 2^53) or a bigint in [0, 2^64), got ${seed}`);
  }
  return [seed >>> 0, Math.floor(seed / TWO_POW_32)];
}

function checkIndex(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be an integer in [0, 2^53), got ${value}`);
}

/** Writes the 4 normals of one block, lane-ordered, to `normals` (`words` is scratch for the Philox output). */
function fillBlock(block: number, stream: number, key: [number, number], words: Uint32Array, normals: Float64Array): void {
  philoxBlock(block >>> 0, Math.floor(block / TWO_POW_32), stream >>> 0, Math.floor(stream / TWO_POW_32), key[0], key[1], words);
  for (let pair = 0; pair < 2; pair++) {
    const uniform = (words[2 * pair] + 1) / TWO_POW_32; // (0, 1]: never 0 before the log
    const angle = TWO_PI * (words[2 * pair + 1] / TWO_POW_32);
    const radius = Math.sqrt(-2 * ln(uniform)); // Box & Muller 1958
    normals[2 * pair] = radius * cos(angle);
    normals[2 * pair + 1] = radius * sin(angle);
  }
}

/**
 * Fills out[j] with the standard normal number of element offset + j of the given stream under
 * the given seed. seed: integer in [0, 2^53) or bigint in [0, 2^64) (n and BigInt(n) agree);
 * stream, offset: integers in [0, 2^53).
 */
export function gaussians(seed: number | bigint, stream: number, offset: number, out: Float32Array): void {
  const key = keyOf(seed);
  checkIndex('stream', stream);
  checkIndex('offset', offset);
  checkIndex('offset + out.length', offset + out.length);
  const words = new Uint32Array(4);
  const normals = new Float64Array(4);
  let j = 0;
  while (j < out.length) {
    const element = offset + j;
    const block = Math.floor(element / 4);
    fillBlock(block, stream, key, words, normals);
    for (let lane = element - 4 * block; lane < 4 && j < out.length; lane++) out[j++] = normals[lane];
  }
}

/** A source of the Gaussian noise a sampler consumes. */
export interface NoiseSource {
  /**
   * Fills out with elements [offset, offset + out.length) of N(0, 1) noise number `index`:
   * 0 = x_T, k = the z of the k-th reverse step. Item i of a run lies at element i·itemSize, so a
   * batch starting at sample s reads offset s·itemSize and gets the same values as one big batch.
   */
  fill(index: number, out: Float32Array, offset?: number): void;
}

/** Counter-based noise: fill(k, out, offset) = gaussians(seed, k, offset, out), reproducible everywhere. */
export class PhiloxNoise implements NoiseSource {
  readonly seed: number | bigint;

  constructor(seed: number | bigint) {
    keyOf(seed); // validates
    this.seed = seed;
  }

  fill(index: number, out: Float32Array, offset = 0): void {
    gaussians(this.seed, index, offset, out);
  }
}
