// The runtime-agnostic core: option checks, noise by global sample index (with a plain-JS EpsModel,
// since the core only knows the interface).
import { createScheduler, DEFAULT_SCHEDULER_CONFIG, PhiloxNoise, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { type EpsModel, sample } from '@onnx-ddpm/sampler';
import { describe, expect, it } from 'vitest';

const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: 100 };

/** ε̂ = x/2, computed in JS: the core does not care which runtime runs the model. */
function halfModel(sampleShape: number[], numClasses = 0, outputLength?: (n: number) => number): EpsModel & { calls: number } {
  return {
    calls: 0,
    info: { sampleShape, numClasses, name: 'half' },
    async predict(x) {
      this.calls++;
      const out = new Float32Array(outputLength ? outputLength(x.length) : x.length);
      for (let i = 0; i < out.length; i++) out[i] = x[i]! / 2;
      return out;
    },
  };
}

describe('sample() option checks', () => {
  const noise = new PhiloxNoise(1);
  it('names the bad option', async () => {
    const m = halfModel([4]);
    await expect(sample(m, createScheduler(config, { method: 'ddim', steps: 5 }), { batch: 0, noise })).rejects.toThrow('batch must be a positive integer, got 0');
    await expect(sample(m, createScheduler(config, { method: 'ddim', steps: 5 }), { batch: 1, noise, firstSample: -1 })).rejects.toThrow(
      'firstSample must be an integer ≥ 0, got -1',
    );
    await expect(sample(m, createScheduler(config, { method: 'ddim', steps: 5 }), { batch: 1, noise, callbackEvery: 0 })).rejects.toThrow(/callbackEvery/);
    await expect(
      sample(m, createScheduler(config, { method: 'ddim', steps: 5 }), { batch: 1, noise, classLabels: Int32Array.from([0]) }),
    ).rejects.toThrow(/model is unconditional/);
    await expect(sample(halfModel([4], 2), createScheduler(config, { method: 'ddim', steps: 5 }), { batch: 2, noise, classLabels: Int32Array.from([0]) })).rejects.toThrow(
      'classLabels has 1 entries for a batch of 2',
    );
    expect(m.calls).toBe(0);
  });

  it('rejects a model output of the wrong size', async () => {
    const m = halfModel([4], 0, (n) => n - 1);
    await expect(sample(m, createScheduler(config, { method: 'ddim', steps: 3 }), { batch: 2, noise })).rejects.toThrow('half returned 7 values for input [2, 4] (expected 8)');
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const m = halfModel([4]);
    const run = sample(m, createScheduler(config, { method: 'ddpm' }), {
      batch: 1,
      noise,
      onStep: (e) => {
        if (e.index === 3) controller.abort(new Error('user stop'));
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow('user stop');
    expect(m.calls).toBe(3);
  });

  it('an unconditional model gets null labels; a conditional one "no label" by default', async () => {
    const seen: (number[] | null)[] = [];
    const spy = (numClasses: number): EpsModel => ({
      info: { sampleShape: [2], numClasses, name: 'spy' },
      async predict(x, _shape, _t, labels) {
        seen.push(labels ? Array.from(labels) : null);
        return new Float32Array(x.length);
      },
    });
    await sample(spy(0), createScheduler(config, { method: 'ddim', steps: 1 }), { batch: 2, noise });
    await sample(spy(5), createScheduler(config, { method: 'ddim', steps: 1 }), { batch: 2, noise });
    expect(seen).toEqual([null, [5, 5]]);
  });
});

describe('sample() noise by global sample index', () => {
  /** A per-item, nonlinear stand-in for a network: ε̂ = tanh(0.8x + t/T). */
  const tanhModel: EpsModel = {
    info: { sampleShape: [2, 3], numClasses: 0, name: 'tanh' },
    async predict(x, _shape, t) {
      return Float32Array.from(x, (v) => Math.tanh(0.8 * v + t[0]! / 100));
    },
  };

  it('7 samples in batches of 3 + 3 + 1 (firstSample 0, 3, 6) are bitwise one batch of 7 (DDPM, same seed)', async () => {
    const scheduler = createScheduler(config, { method: 'ddpm' });
    const whole = await sample(tanhModel, scheduler, { batch: 7, noise: new PhiloxNoise(5) });
    const parts = new Float32Array(whole.samples.length);
    for (const [firstSample, batch] of [
      [0, 3],
      [3, 3],
      [6, 1],
    ] as const) {
      const part = await sample(tanhModel, scheduler, { batch, firstSample, noise: new PhiloxNoise(5) });
      parts.set(part.samples, firstSample * 6);
    }
    expect(Buffer.from(parts.buffer).equals(Buffer.from(whole.samples.buffer))).toBe(true);
    // firstSample 0 is the default: one batch without it draws what it drew before.
    const again = await sample(tanhModel, scheduler, { batch: 7, firstSample: 0, noise: new PhiloxNoise(5) });
    expect(Buffer.from(again.samples.buffer).equals(Buffer.from(whole.samples.buffer))).toBe(true);
  });
});
