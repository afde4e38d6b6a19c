import { describe, expect, it } from 'vitest';
import {
  createScheduler,
  DEFAULT_SCHEDULER_CONFIG,
  ddim,
  ddpm,
  gaussians,
  PhiloxNoise,
  runReverseLoop,
  type Scheduler,
  type SchedulerConfig,
  SchedulerConfigError,
} from '../src/index.js';

const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: 100 };

describe('scheduler timesteps', () => {
  it('DDPM walks all T steps down to 0, each to t − 1', () => {
    const s = ddpm(config);
    expect(s.timesteps.length).toBe(100);
    expect([s.timesteps[0], s.timesteps[99]]).toEqual([99, 0]);
    expect([s.prevTimesteps[0], s.prevTimesteps[98], s.prevTimesteps[99]]).toEqual([98, 0, -1]);
  });

  it('DDIM follows the timestep spacing and steps to t − T // N', () => {
    const leading = ddim(config, { steps: 10 });
    expect(Array.from(leading.timesteps)).toEqual([90, 80, 70, 60, 50, 40, 30, 20, 10, 0]);
    expect(Array.from(leading.prevTimesteps)).toEqual([80, 70, 60, 50, 40, 30, 20, 10, 0, -1]);
    const trailing = ddim({ ...config, timestep_spacing: 'trailing' }, { steps: 4 });
    expect(Array.from(trailing.timesteps)).toEqual([99, 74, 49, 24]);
    expect(Array.from(trailing.prevTimesteps)).toEqual([74, 49, 24, -1]);
    const offset = ddim({ ...config, steps_offset: 1 }, { steps: 5 });
    expect(Array.from(offset.timesteps)).toEqual([81, 61, 41, 21, 1]);
    expect(offset.prevTimesteps.at(-1)).toBe(-1);
  });

  it('explicit timesteps go to the next entry, the last to −1', () => {
    const s = ddim({ ...config, timestep_spacing: 'linspace' }, { timesteps: [99, 50, 0], eta: 0 });
    expect(Array.from(s.prevTimesteps)).toEqual([50, 0, -1]);
    expect(() => ddpm(config, { timesteps: [10, 20] })).toThrow(/prevT must be an integer below t = 10/);
    expect(() => ddpm(config, { timesteps: [] })).toThrow(SchedulerConfigError);
  });

  it('rejects a bad step count', () => {
    expect(() => ddim(config, { steps: 0 })).toThrow('steps must be an integer in [1, 100]');
    expect(() => ddim(config, { steps: 101 })).toThrow(SchedulerConfigError);
    expect(() => ddim(config, {})).toThrow('DDIM needs a number of steps');
  });

  it('validates η in one place: ≥ 0, finite, DDIM only', () => {
    expect(() => createScheduler(config, { method: 'ddpm', eta: 0.5 })).toThrow(/eta applies to DDIM only/);
    expect(() => createScheduler(config, { method: 'ddim', steps: 5, eta: -1 })).toThrow('eta must be ≥ 0, got -1');
    expect(() => ddim(config, { steps: 5, eta: Number.NaN })).toThrow(SchedulerConfigError);
    expect(() => ddim(config, { steps: 5, eta: Number.POSITIVE_INFINITY })).toThrow('eta must be finite');
    expect(createScheduler(config, { method: 'ddpm', eta: 1 }).method).toBe('ddpm');
    expect(() => createScheduler(config, { method: 'dpm' as 'ddpm' })).toThrow("method must be 'ddpm' or 'ddim', got 'dpm'");
  });

  it('knows which steps add noise: DDPM while t > 0, DDIM when η > 0 and not on the final step', () => {
    const strided = ddpm({ ...config, timestep_spacing: 'trailing' }, { steps: 4 }); // 99, 74, 49, 24 → −1
    expect([0, 1, 2, 3].map((k) => strided.addsNoise(k))).toEqual([true, true, true, true]);
    expect(ddpm(config).addsNoise(99)).toBe(false);
    expect([0, 3].map((k) => ddim(config, { steps: 4, eta: 0.5 }).addsNoise(k))).toEqual([true, false]);
    expect(ddim(config, { steps: 4 }).addsNoise(0)).toBe(false);
    expect(() => ddim(config, { steps: 4 }).addsNoise(4)).toThrow('step index must be an integer in [0, 3], got 4');
  });

  it('addNoise is q(x_t | x_0) on its own tables', () => {
    const s = ddpm(config);
    const x0 = Float32Array.of(1, -1);
    const eps = Float32Array.of(0.5, 2);
    const out = new Float32Array(2);
    s.addNoise(x0, eps, [30], out);
    const a = s.tables.sqrtAlphaBars[30]!;
    const b = s.tables.sqrtOneMinusAlphaBars[30]!;
    expect(Array.from(out)).toEqual([Math.fround(a * 1 + b * 0.5), Math.fround(a * -1 + b * 2)]);
  });
});

/** Runs the skeleton with a per-item model m = tanh(0.8x + t/T) on host arrays; returns x_0. */
async function runLoop(scheduler: Scheduler, batch: number, itemSize: number, firstSample: number, seed: number): Promise<Float32Array> {
  let x: Float32Array = new Float32Array(0);
  const m = new Float32Array(batch * itemSize);
  await runReverseLoop(
    scheduler,
    { noise: new PhiloxNoise(seed), batch, itemSize, firstSample },
    {
      start: (xT) => {
        x = xT;
      },
      step: ({ k, t, z }) => {
        for (let i = 0; i < x.length; i++) m[i] = Math.tanh(0.8 * x[i]! + t / 100);
        scheduler.step(k, { sample: x, modelOutput: m, noise: z, out: x });
      },
    },
  );
  return x;
}

describe('runReverseLoop', () => {
  it('draws x_T from stream 0 and each noisy step z from stream k + 1 at the batch’s element offset', async () => {
    const scheduler = ddpm(config, { steps: 3 });
    const seen: { start?: Float32Array; z: (Float32Array | null)[]; report: boolean[] } = { z: [], report: [] };
    await runReverseLoop(
      scheduler,
      { noise: new PhiloxNoise(4), batch: 2, itemSize: 3, firstSample: 5, callbackEvery: 2 },
      {
        start: (xT) => {
          seen.start = xT.slice();
        },
        step: (s) => {
          seen.z.push(s.z ? s.z.slice() : null);
          seen.report.push(s.report);
        },
      },
    );
    const want = (stream: number) => {
      const out = new Float32Array(6);
      gaussians(4, stream, 15, out);
      return out;
    };
    expect(seen.start).toEqual(want(0));
    expect(seen.z).toEqual([want(1), want(2), null]); // the last step is t = 0: no noise
    expect(seen.report).toEqual([false, true, true]);
  });

  it('N items in batches of 3 + 3 + 1 are bitwise the items of one batch of 7 (DDPM)', async () => {
    const scheduler = ddpm(config);
    const itemSize = 5;
    const whole = await runLoop(scheduler, 7, itemSize, 0, 9);
    const parts = new Float32Array(7 * itemSize);
    for (const [first, count] of [
      [0, 3],
      [3, 3],
      [6, 1],
    ] as const) {
      parts.set(await runLoop(scheduler, count, itemSize, first, 9), first * itemSize);
    }
    expect(Buffer.from(parts.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
    expect(new Set(whole).size).toBe(whole.length); // no two items alike
  });

  it('stops before the next step once the signal aborts', async () => {
    const controller = new AbortController();
    let steps = 0;
    const run = runReverseLoop(
      ddpm(config),
      { noise: new PhiloxNoise(1), batch: 1, itemSize: 1, signal: controller.signal },
      {
        start: () => {},
        step: () => {
          if (++steps === 2) controller.abort(new Error('user stop'));
        },
      },
    );
    await expect(run).rejects.toThrow('user stop');
    expect(steps).toBe(2);
  });
});
