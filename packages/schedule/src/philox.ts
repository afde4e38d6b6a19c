/**
 * Philox4x32-10 counter-based generator (Salmon, Moraes, Dror & Shaw, "Parallel random numbers:
 * as easy as 1, 2, 3", SC 2011; the Random123 library). Pure 32-bit integer arithmetic, so the
 * output bits are the same in every JS engine.
 */

const M0 = 0xd2511f53; // round multipliers
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9; // key schedule (Weyl sequence) increments
const W1 = 0xbb67ae85;
const ROUNDS = 10;

/** High 32 bits of the 64-bit product of two uint32, exact: 16-bit limbs keep every partial product < 2^53. */
function mulhi(a: number, b: number): number {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  const bHi = b >>> 16;
  const bLo = b & 0xffff;
  const middle = aHi * bLo + aLo * bHi + ((aLo * bLo) >>> 16); // < 2^34
  return (aHi * bHi + Math.floor(middle / 65536)) >>> 0;
}

/** Philox4x32-10 of counter (c0..c3) under key (k0, k1), written to out[0..3]. */
export function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** Philox4x32-10: out = philox(counter[0..3], key[0..1]); out may be the counter array. */
export function philox4x32(counter: Uint32Array, key: Uint32Array, out: Uint32Array): void {
  if (counter.length !== 4 || key.length !== 2 || out.length !== 4) {
    throw new RangeError(
      `philox4x32 needs a 4-word counter, 2-word key and 4-word out, got ${counter.length}, ${key.length}, ${out.length}`,
    );
  }
  philoxBlock(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
}
