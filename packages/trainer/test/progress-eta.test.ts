import { describe, expect, it } from 'vitest';
import { formatEta } from '../src/train/progress.js';

describe('formatEta', () => {
  it('says seconds, minutes or hours, never 60 of the smaller unit', () => {
    expect(formatEta(9.5)).toBe('9.5s');
    expect(formatEta(42.2)).toBe('42s');
    expect(formatEta(59.7)).toBe('1m00s');
    expect(formatEta(119.6)).toBe('2m00s');
    expect(formatEta(725)).toBe('12m05s');
    expect(formatEta(134_910)).toBe('37h28m');
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('?');
  });
});
