import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeTables,
  DEFAULT_SCHEDULER_CONFIG,
  fingerprint,
  gaussians,
  type SchedulerConfig,
  sha256Hex,
  TABLE_NAMES,
  tablesFingerprint,
} from '../src/index.js';

describe('sha256Hex', () => {
  it('matches node:crypto on the FIPS examples and on every padding boundary', () => {
    const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    expect(sha256Hex(ascii('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const noise = new Float32Array(300);
    gaussians(3, 0, 0, noise);
    const bytes = new Uint8Array(noise.buffer);
    for (const length of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 1200]) {
      const data = bytes.subarray(0, length);
      expect(sha256Hex(data), `length ${length}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});

describe('fingerprint', () => {
  it('is sha256:<hex> of the tables and stable (golden value for the DDPM default schedule)', () => {
    const value = fingerprint(DEFAULT_SCHEDULER_CONFIG);
    expect(value).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Computed once with this implementation; any change of the tables or of the byte layout changes it.
    expect(value).toBe('sha256:c2696474f282213bbce93a0d3f800ce927be32f21dea9a6fd81a052cb93e4fdb');
    expect(fingerprint({ ...DEFAULT_SCHEDULER_CONFIG })).toBe(value);
    // the other schedules pin this package's own exp (sigmoid) and cos (squaredcos_cap_v2) too
    const golden: [SchedulerConfig['beta_schedule'], string][] = [
      ['scaled_linear', 'ef3cc57c0ab35eaa791984b5af05bcb08c068217dad9e62c5b05b91c1999c7d4'],
      ['squaredcos_cap_v2', 'de3e435edec05087401a6aed6af4688634e366f8ee7be1049e47b61c50cad165'],
      ['sigmoid', 'aedf63bf4902452dcb177f6b2f545129a63a5a4f34542f5179ea5795b0892212'],
    ];
    for (const [beta_schedule, hex] of golden) {
      expect(fingerprint({ ...DEFAULT_SCHEDULER_CONFIG, beta_schedule }), beta_schedule).toBe(`sha256:${hex}`);
    }
  });

  it('follows the documented byte layout', () => {
    const tables = computeTables({ ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: 10 });
    const tag = Buffer.from('onnx-ddpm/schedule-tables/v1', 'ascii');
    const header = Buffer.alloc(4);
    header.writeUInt32LE(10);
    const parts = TABLE_NAMES.map((name) => {
      const b = Buffer.alloc(40);
      for (const [i, v] of tables[name].entries()) b.writeFloatLE(v, 4 * i);
      return b;
    });
    const want = createHash('sha256').update(Buffer.concat([tag, header, ...parts])).digest('hex');
    expect(tablesFingerprint(tables)).toBe(`sha256:${want}`);
  });

  it('changes when any table value changes by one float32 ulp', () => {
    const tables = computeTables(DEFAULT_SCHEDULER_CONFIG);
    const original = tablesFingerprint(tables);
    for (const [k, name] of TABLE_NAMES.entries()) {
      const table = tables[name];
      const index = (k * 97) % tables.T;
      const bits = new Uint32Array(table.buffer, table.byteOffset, table.length);
      const saved = bits[index]!;
      bits[index] = saved + 1; // next float32 up
      expect(tablesFingerprint(tables), `${name}[${index}]`).not.toBe(original);
      bits[index] = saved;
    }
    expect(tablesFingerprint(tables)).toBe(original);
  });

  it('covers the tables only: prediction, variance, clipping and spacing fields do not change it', () => {
    const value = fingerprint(DEFAULT_SCHEDULER_CONFIG);
    const irrelevant: Partial<SchedulerConfig>[] = [
      { prediction_type: 'v_prediction' },
      { variance_type: 'fixed_large' },
      { clip_sample: false, clip_sample_range: 2 },
      { timestep_spacing: 'trailing', steps_offset: 1 },
    ];
    for (const change of irrelevant) expect(fingerprint({ ...DEFAULT_SCHEDULER_CONFIG, ...change })).toBe(value);
    const relevant: Partial<SchedulerConfig>[] = [
      { beta_schedule: 'scaled_linear' },
      { beta_schedule: 'squaredcos_cap_v2' },
      { beta_schedule: 'sigmoid' },
      { beta_end: 0.0200001 },
      { num_train_timesteps: 999 },
    ];
    const seen = new Set([value]);
    for (const change of relevant) seen.add(fingerprint({ ...DEFAULT_SCHEDULER_CONFIG, ...change }));
    expect(seen.size).toBe(relevant.length + 1);
  });
});
