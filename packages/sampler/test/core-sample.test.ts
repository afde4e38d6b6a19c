// The runtime-agnostic core: reverse-step plans and option checks (with a plain-JS EpsModel,
// since the core only knows the interface).
import { DEFAULT_SCHEDULER_CONFIG, PhiloxNoise, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { type EpsModel, planReverseSteps, SamplerError, sample } from '@onnx-ddpm/sampler';
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

describe('planReverseSteps', () => {
  it('DDPM walks all T steps down to 0, each to t − 1', () => {
    const plan = planReverseSteps(config, 'ddpm');
    expect(plan.t.length).toBe(100);
    expect([plan.t[0], plan.t[99]]).toEqual([99, 0]);
    expect([plan.prevT[0], plan.prevT[98], plan.prevT[99]]).toEqual([98, 0, -1]);
  });

  it('DDIM follows the timestep spacing and steps to t − T // N', () => {
    const leading = planReverseSteps(config, 'ddim', 10);
    expect(Array.from(leading.t)).toEqual([90, 80, 70, 60, 50, 40, 30, 20, 10, 0]);
    expect(Array.from(leading.prevT)).toEqual([80, 70, 60, 50, 40, 30, 20, 10, 0, -1]);
    const trailing = planReverseSteps({ ...config, timestep_spacing: 'trailing' }, 'ddim', 4);
    expect(Array.from(trailing.t)).toEqual([99, 74, 49, 24]);
    expect(Array.from(trailing.prevT)).toEqual([74, 49, 24, -1]);
    const offset = planReverseSteps({ ...config, steps_offset: 1 }, 'ddim', 5);
    expect(Array.from(offset.t)).toEqual([81, 61, 41, 21, 1]);
    expect(offset.prevT.at(-1)).toBe(-1);
  });

  it('rejects a bad step count', () => {
    expect(() => planReverseSteps(config, 'ddim', 0)).toThrow('steps must be an integer in [1, 100]');
    expect(() => planReverseSteps(config, 'ddim', 101)).toThrow(SamplerError);
    expect(() => planReverseSteps(config, 'ddim')).toThrow('DDIM needs a number of steps');
  });
});

describe('sample() option checks', () => {
  const noise = new PhiloxNoise(1);
  it('names the bad option', async () => {
    const m = halfModel([4]);
    await expect(sample(m, config, { method: 'ddim', steps: 5, batch: 0, noise })).rejects.toThrow('batch must be a positive integer, got 0');
    await expect(sample(m, config, { method: 'ddpm', eta: 0.5, batch: 1, noise })).rejects.toThrow(/eta applies to DDIM only/);
    await expect(sample(m, config, { method: 'ddim', steps: 5, eta: -1, batch: 1, noise })).rejects.toThrow('eta must be ≥ 0, got -1');
    await expect(sample(m, config, { method: 'ddim', steps: 5, batch: 1, noise, callbackEvery: 0 })).rejects.toThrow(/callbackEvery/);
    await expect(
      sample(m, config, { method: 'ddim', steps: 5, batch: 1, noise, classLabels: Int32Array.from([0]) }),
    ).rejects.toThrow(/model is unconditional/);
    await expect(sample(halfModel([4], 2), config, { method: 'ddim', steps: 5, batch: 2, noise, classLabels: Int32Array.from([0]) })).rejects.toThrow(
      'classLabels has 1 entries for a batch of 2',
    );
    expect(m.calls).toBe(0);
  });

  it('rejects a model output of the wrong size', async () => {
    const m = halfModel([4], 0, (n) => n - 1);
    await expect(sample(m, config, { method: 'ddim', steps: 3, batch: 2, noise })).rejects.toThrow('half returned 7 values for input [2, 4] (expected 8)');
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const m = halfModel([4]);
    const run = sample(m, config, {
      method: 'ddpm',
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
    await sample(spy(0), config, { method: 'ddim', steps: 1, batch: 2, noise });
    await sample(spy(5), config, { method: 'ddim', steps: 1, batch: 2, noise });
    expect(seen).toEqual([null, [5, 5]]);
  });
});
