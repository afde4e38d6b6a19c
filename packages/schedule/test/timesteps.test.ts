import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULER_CONFIG, inferenceTimesteps, previousTimestep, type SchedulerConfig } from '../src/index.js';

const config = (overrides: Partial<SchedulerConfig>): SchedulerConfig => ({ ...DEFAULT_SCHEDULER_CONFIG, ...overrides });
const steps = (overrides: Partial<SchedulerConfig>, n: number): number[] => Array.from(inferenceTimesteps(config(overrides), n));

describe('inferenceTimesteps (diffusers set_timesteps semantics)', () => {
  it('T = 1000, N = 10: the values in diffusers docs', () => {
    expect(steps({ timestep_spacing: 'leading' }, 10)).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
    expect(steps({ timestep_spacing: 'trailing' }, 10)).toEqual([999, 899, 799, 699, 599, 499, 399, 299, 199, 99]);
    expect(steps({ timestep_spacing: 'linspace' }, 10)).toEqual([999, 888, 777, 666, 555, 444, 333, 222, 111, 0]);
    expect(inferenceTimesteps(DEFAULT_SCHEDULER_CONFIG, 10)).toBeInstanceOf(Int32Array);
  });

  it('steps_offset shifts leading only (Stable Diffusion: offset 1)', () => {
    expect(steps({ timestep_spacing: 'leading', steps_offset: 1 }, 10)).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    expect(steps({ timestep_spacing: 'trailing', steps_offset: 1 }, 10)[0]).toBe(999);
    expect(steps({ timestep_spacing: 'linspace', steps_offset: 1 }, 10)[0]).toBe(999);
  });

  // Reference values: diffusers' expressions evaluated with numpy 1.24
  // (leading (arange(0,N)*(T//N)).round()[::-1]; trailing round(arange(T,0,-T/N))-1; linspace linspace(0,T-1,N).round()[::-1]).
  it('uneven T/N, with numpy rounding (ties to even)', () => {
    expect(steps({}, 3)).toEqual([666, 333, 0]);
    expect(steps({ timestep_spacing: 'trailing' }, 3)).toEqual([999, 666, 332]);
    expect(steps({ timestep_spacing: 'linspace' }, 3)).toEqual([999, 500, 0]); // 499.5 → 500
    expect(steps({}, 7)).toEqual([852, 710, 568, 426, 284, 142, 0]);
    expect(steps({ timestep_spacing: 'trailing' }, 7)).toEqual([999, 856, 713, 570, 428, 285, 142]);
    expect(steps({ timestep_spacing: 'linspace' }, 7)).toEqual([999, 832, 666, 500, 333, 166, 0]); // 832.5 → 832, 166.5 → 166
    expect(steps({ num_train_timesteps: 999, timestep_spacing: 'linspace' }, 13)).toEqual([
      998, 915, 832, 748, 665, 582, 499, 416, 333, 250, 166, 83, 0,
    ]);
  });

  it('trailing keeps exactly N steps where numpy arange would add a spurious −1', () => {
    // numpy gives these 30 values for T = 50, N = 29 ending in −1; the first 29 are kept.
    expect(steps({ num_train_timesteps: 50, timestep_spacing: 'trailing' }, 29)).toEqual([
      49, 47, 46, 44, 42, 40, 39, 37, 35, 33, 32, 30, 28, 27, 25, 23, 21, 20, 18, 16, 15, 13, 11, 9, 8, 6, 4, 2, 1,
    ]);
    expect(steps({ num_train_timesteps: 999, timestep_spacing: 'trailing' }, 13)).toEqual([
      998, 921, 844, 767, 691, 614, 537, 460, 383, 306, 230, 153, 76,
    ]);
  });

  it('N = T gives every timestep; all spacings are strictly descending and inside [0, T)', () => {
    for (const spacing of ['leading', 'trailing', 'linspace'] as const) {
      expect(steps({ timestep_spacing: spacing }, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => 999 - i));
      for (const n of [1, 2, 9, 25, 333, 999]) {
        const ts = steps({ timestep_spacing: spacing }, n);
        expect(ts.length).toBe(n);
        expect(ts.every((t, i) => t >= 0 && t < 1000 && (i === 0 || t < ts[i - 1]!))).toBe(true);
      }
    }
  });

  it('rejects bad step counts and offsets that leave [0, T)', () => {
    expect(() => inferenceTimesteps(DEFAULT_SCHEDULER_CONFIG, 0)).toThrow(/integer in \[1, num_train_timesteps = 1000\], got 0/);
    expect(() => inferenceTimesteps(DEFAULT_SCHEDULER_CONFIG, 1001)).toThrow(/got 1001/);
    expect(() => inferenceTimesteps(DEFAULT_SCHEDULER_CONFIG, 2.5)).toThrow(/got 2\.5/);
    expect(() => inferenceTimesteps(config({ steps_offset: 1 }), 1000)).toThrow(/steps_offset = 1 puts timestep 1000 outside/);
  });

  it("previousTimestep is diffusers' t − T // N", () => {
    expect(previousTimestep(DEFAULT_SCHEDULER_CONFIG, 10, 900)).toBe(800);
    expect(previousTimestep(DEFAULT_SCHEDULER_CONFIG, 10, 0)).toBe(-100);
    expect(previousTimestep(DEFAULT_SCHEDULER_CONFIG, 7, 999)).toBe(857);
  });
});
