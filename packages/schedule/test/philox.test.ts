import { describe, expect, it } from 'vitest';
import { philox4x32 } from '../src/index.js';

const hex = (words: ArrayLike<number>): string[] => Array.from(words, (w) => w.toString(16).padStart(8, '0'));

describe('philox4x32 (Philox4x32-10)', () => {
  // Random123 kat_vectors: "philox4x32 10 <counter ×4> <key ×2> <expected ×4>"
  const kat: [number[], number[], string[]][] = [
    [[0, 0, 0, 0], [0, 0], ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']],
    [
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      ['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd'],
    ],
    [
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      ['d16cfe09', '94fdcceb', '5001e420', '24126ea1'],
    ],
  ];
  for (const [counter, key, expected] of kat) {
    it(`reproduces the known answer for counter ${hex(counter).join(' ')}`, () => {
      const out = new Uint32Array(4);
      philox4x32(Uint32Array.from(counter), Uint32Array.from(key), out);
      expect(hex(out)).toEqual(expected);
    });
  }

  it('accepts out === counter and rejects wrong sizes', () => {
    const ctr = new Uint32Array(4);
    philox4x32(ctr, new Uint32Array(2), ctr);
    expect(hex(ctr)).toEqual(kat[0]![2]);
    expect(() => philox4x32(new Uint32Array(3), new Uint32Array(2), new Uint32Array(4))).toThrow(/4-word counter/);
  });
});
