// The editing additions to the reverse loop: img2img start, known-region hook with resampling,
// DDIM inversion and slerp.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCHEDULER_CONFIG,
  ddim,
  ddimInverse,
  ddpm,
  gaussians,
  PhiloxNoise,
  type ReverseLoopOptions,
  runReverseLoop,
  type Scheduler,
  type SchedulerConfig,
  slerp,
} from '../src/index.js';

const config: SchedulerConfig = { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: 100, clip_sample: false };
const batch = 3;
const itemSize = 8;
const size = batch * itemSize;
const x0 = Float32Array.from({ length: size }, (_, i) => Math.sin(i) * 0.9);

/** A fake ε-model (any fixed function of x and t) on host arrays; returns x and the steps it took. */
async function run(scheduler: Scheduler, opts: Partial<ReverseLoopOptions>, mask?: Float32Array) {
  let x: Float32Array = new Float32Array(size);
  const steps: string[] = [];
  const eps = new Float32Array(size);
  const known = new Float32Array(size);
  await runReverseLoop(
    scheduler,
    { noise: new PhiloxNoise(7), batch, itemSize, ...opts },
    {
      start: (xT) => {
        x = xT;
      },
      step: (s) => {
        steps.push(`${s.k}.${s.repeat}`);
        // Each output element reads its neighbour, so the known region steers the rest.
        for (let i = 0; i < size; i++) eps[i] = 0.3 * x[(i + 1) % size]! + 0.001 * s.t;
        scheduler.step(s.k, { sample: x, modelOutput: eps, noise: s.z, out: x });
      },
      ...(mask && {
        afterStep: (s) => {
          if (s.prevT < 0) known.set(x0);
          else scheduler.addNoise(x0, s.eps, [s.prevT], known);
          for (let i = 0; i < size; i++) if (mask[i] === 1) x[i] = known[i]!;
        },
        renoise: (s, e) => scheduler.renoise(s.k, x, e, x),
      }),
    },
  );
  return { x, steps };
}

describe('img2img start (from x0 at a step)', () => {
  const scheduler = ddpm(config, { steps: 10 });

  it('step 0 is sampling from noise, bit for bit; step K returns x0 without a step', async () => {
    const plain = await run(scheduler, {});
    const s1 = await run(scheduler, { from: { x0, step: 0 } });
    expect(Buffer.from(s1.x.buffer).equals(Buffer.from(plain.x.buffer))).toBe(true);
    const s0 = await run(scheduler, { from: { x0, step: 10 } });
    expect(s0.steps).toEqual([]);
    expect(Array.from(s0.x)).toEqual(Array.from(x0));
  });

  it('a middle step starts from q(x_t | x_0) with stream 0 as ε and runs the remaining steps', async () => {
    let start = new Float32Array(0);
    let ks: number[] = [];
    await runReverseLoop(scheduler, { noise: new PhiloxNoise(7), batch, itemSize, firstSample: 2, from: { x0, step: 6 } }, {
      start: (x) => {
        start = x.slice();
      },
      step: (s) => {
        ks = [...ks, s.k];
      },
    });
    const eps = new Float32Array(size);
    gaussians(7, 0, 2 * itemSize, eps);
    const expected = new Float32Array(size);
    scheduler.addNoise(x0, eps, [scheduler.timesteps[6]!], expected);
    expect(Array.from(start)).toEqual(Array.from(expected));
    expect(ks).toEqual([6, 7, 8, 9]);
    await expect(run(scheduler, { from: { x0, step: 11 } })).rejects.toThrow(/start step must be an integer in \[0, 10\]/);
    await expect(run(scheduler, { from: { x0: x0.subarray(1), step: 3 } })).rejects.toThrow(/x0 has 23 values, the run needs 24/);
  });
});

describe('known region (inpainting) and resampling', () => {
  const mask = Float32Array.from({ length: size }, (_, i) => (i % 3 === 0 ? 1 : 0));

  for (const scheduler of [ddpm(config, { steps: 10 }), ddim(config, { steps: 10 })]) {
    it(`${scheduler.method}: the kept region of the result is x0 exactly, the rest is sampled`, async () => {
      const { x } = await run(scheduler, {}, mask);
      const plain = await run(scheduler, {});
      for (let i = 0; i < size; i++) {
        if (mask[i] === 1) expect(x[i]).toBe(x0[i]);
      }
      expect(x.some((v, i) => mask[i] === 0 && v !== plain.x[i])).toBe(true);
    });
  }

  it('resample r runs every step but the last r times, with fresh noise per run', async () => {
    const scheduler = ddpm(config, { steps: 4 });
    const { x, steps } = await run(scheduler, { resample: 3 }, mask);
    expect(steps).toEqual(['0.0', '0.1', '0.2', '1.0', '1.1', '1.2', '2.0', '2.1', '2.2', '3.0']);
    const once = await run(scheduler, {}, mask);
    expect(x.some((v, i) => mask[i] === 0 && v !== once.x[i])).toBe(true);
    for (let i = 0; i < size; i++) if (mask[i] === 1) expect(x[i]).toBe(x0[i]);
    await expect(run(scheduler, { resample: 2 })).rejects.toThrow(/resampling needs the afterStep and renoise hooks/);
  });

  it('renoise is q(x_t | x_prevT): coefficients² are ᾱ_t/ᾱ_prevT and 1 − ᾱ_t/ᾱ_prevT', () => {
    const scheduler = ddim(config, { steps: 10 });
    const out = new Float32Array(2);
    scheduler.renoise(3, Float32Array.of(1, 0), Float32Array.of(0, 1), out);
    const { alphaBars } = scheduler.tables;
    const ratio = alphaBars[scheduler.timesteps[3]!]! / alphaBars[scheduler.prevTimesteps[3]!]!;
    expect(out[0]! ** 2).toBeCloseTo(ratio, 6);
    expect(out[1]! ** 2).toBeCloseTo(1 - ratio, 6);
  });
});

describe('DDIM inversion', () => {
  it('runs the steps of ddim backwards, from x_0 (−1) up to the first timestep', () => {
    const forward = ddim(config, { steps: 5 });
    const inverse = ddimInverse(config, { steps: 5 });
    expect(Array.from(inverse.timesteps)).toEqual(Array.from(forward.timesteps).reverse());
    expect(Array.from(inverse.prevTimesteps)).toEqual(Array.from(forward.prevTimesteps).reverse());
    expect(inverse.addsNoise(0)).toBe(false);
    expect(() => ddimInverse({ ...config, prediction_type: 'v_prediction' }, { steps: 5 })).toThrow(/needs an ε-prediction model/);
  });

  it('with an ε that does not depend on x and t, inversion then DDIM gives x_0 back', async () => {
    const eps = Float32Array.from({ length: size }, (_, i) => Math.cos(3 * i));
    const loop = async (scheduler: Scheduler, start: Float32Array) => {
      let x: Float32Array = new Float32Array(0);
      await runReverseLoop(scheduler, { batch, itemSize, from: { latents: start } }, {
        start: (s) => {
          x = s;
        },
        step: (s) => scheduler.step(s.k, { sample: x, modelOutput: eps, noise: null, out: x }),
      });
      return x;
    };
    const xT = await loop(ddimInverse(config, { steps: 20 }), x0);
    expect(xT.some((v, i) => Math.abs(v - x0[i]!) > 0.5)).toBe(true);
    const back = await loop(ddim(config, { steps: 20 }), xT);
    for (let i = 0; i < size; i++) expect(back[i]).toBeCloseTo(x0[i]!, 4);
  });
});

describe('slerp', () => {
  const a = Float32Array.of(1, 0, 0, 0);
  const b = Float32Array.of(0, 2, 0, 0);

  it('goes from a to b along the arc, keeping the norm of equal-norm latents', () => {
    expect(Array.from(slerp(a, b, 0))).toEqual([1, 0, 0, 0]);
    const end = slerp(a, b, 1);
    expect(end[0]).toBeCloseTo(0, 7);
    expect(end[1]).toBeCloseTo(2, 6);
    const mid = slerp(a, Float32Array.of(0, 1, 0, 0), 0.5);
    expect(Math.hypot(...mid)).toBeCloseTo(1, 6);
    expect(mid[0]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('parallel latents fall back to the straight line; lengths must match', () => {
    expect(Array.from(slerp(a, Float32Array.of(3, 0, 0, 0), 0.5))).toEqual([2, 0, 0, 0]);
    expect(() => slerp(a, Float32Array.of(1, 2), 0.5)).toThrow(/same length/);
  });
});
