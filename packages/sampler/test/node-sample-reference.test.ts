// DDPM and DDIM trajectories through onnxruntime-node against a float64 loop written here from the
// papers' equations (Ho et al. 2020 eqs. 4, 6–7; Song et al. 2021 eq. 12).
import { createScheduler, DEFAULT_SCHEDULER_CONFIG, PhiloxNoise, type SchedulerConfig } from '@onnx-ddpm/schedule';
import { type DenoiserModel, sample, type SampleStepEvent } from '@onnx-ddpm/sampler/node';
import { describe, expect, it } from 'vitest';
import { gaussianDataCoefficients, itemSize, type LinearModelSpec, linearModelReference, testValues } from './node-test-models.js';
import { maxAbsDiff } from '../../../test/arrays.js';
import { linearModelOnCpu } from './ort-fixture.js';

const T = 1000;
const ITEM = [2, 3, 3];
const spec: LinearModelSpec = { itemShape: ITEM, a: gaussianDataCoefficients(T, 0.0001, 0.02, 0.5), w: testValues(18, 7, -0.8, 0.8), T };
const BATCH = 3;

function config(overrides: Partial<SchedulerConfig> = {}): SchedulerConfig {
  return { ...DEFAULT_SCHEDULER_CONFIG, num_train_timesteps: T, ...overrides };
}

/** ᾱ_t = Π_{s≤t} (1 − β_s) with linear β (Ho et al. 2020, §4), in float64. */
function alphaBars(cfg: SchedulerConfig): Float64Array {
  const out = new Float64Array(cfg.num_train_timesteps);
  let prod = 1;
  for (let t = 0; t < out.length; t++) {
    const beta = cfg.beta_start + ((cfg.beta_end - cfg.beta_start) * t) / (out.length - 1);
    prod *= 1 - beta;
    out[t] = prod;
  }
  return out;
}

interface RefOptions {
  method: 'ddpm' | 'ddim';
  steps?: number;
  eta?: number;
  seed: number;
  labels?: number[];
  guidance?: number;
}

/** The reverse process in float64, noise from the same Philox streams (index 0 = x_T, k = z_k). */
function referenceSample(s: LinearModelSpec, cfg: SchedulerConfig, o: RefOptions): Float64Array {
  const ab = alphaBars(cfg);
  const d = itemSize(s);
  const n = BATCH * d;
  const noise = new PhiloxNoise(o.seed);
  const buf = new Float32Array(n);
  noise.fill(0, buf);
  const x = Float64Array.from(buf);
  const eps = new Float64Array(n);
  const epsU = new Float64Array(n);
  const ratio = o.method === 'ddpm' && o.steps === undefined ? 1 : Math.floor(T / o.steps!);
  const count = o.method === 'ddpm' && o.steps === undefined ? T : o.steps!;
  const eta = o.method === 'ddpm' ? 1 : (o.eta ?? 0);
  for (let k = 0; k < count; k++) {
    const t = (count - 1 - k) * ratio + cfg.steps_offset; // 'leading' spacing
    const prev = t - ratio;
    const abT = ab[t]!;
    const abP = prev >= 0 ? ab[prev]! : 1;
    linearModelReference(s, x, t, o.labels ?? null, eps);
    if (o.guidance !== undefined) {
      linearModelReference(s, x, t, new Array(BATCH).fill(s.numClasses!), epsU);
      for (let i = 0; i < n; i++) eps[i] = epsU[i]! + o.guidance * (eps[i]! - epsU[i]!); // Ho & Salimans 2022, eq. 6
    }
    const betaT = 1 - abT / abP;
    let sigma = 0;
    if (o.method === 'ddpm' && t > 0) {
      const betaTilde = ((1 - abP) / (1 - abT)) * betaT; // eq. 7
      sigma = Math.sqrt(cfg.variance_type === 'fixed_large' ? betaT : betaTilde);
    } else if (o.method === 'ddim' && prev >= 0) {
      sigma = eta * Math.sqrt(((1 - abP) / (1 - abT)) * betaT); // Song et al. eq. 16
    }
    if (sigma > 0) noise.fill(k + 1, buf);
    for (let i = 0; i < n; i++) {
      const m = eps[i]!;
      const xi = x[i]!;
      let x0: number;
      if (cfg.prediction_type === 'epsilon') x0 = (xi - Math.sqrt(1 - abT) * m) / Math.sqrt(abT); // eq. 4 solved for x_0
      else if (cfg.prediction_type === 'sample') x0 = m;
      else x0 = Math.sqrt(abT) * xi - Math.sqrt(1 - abT) * m; // v = √ᾱ ε − √(1−ᾱ) x_0
      if (cfg.clip_sample) x0 = Math.min(cfg.clip_sample_range, Math.max(-cfg.clip_sample_range, x0));
      const z = sigma > 0 ? buf[i]! : 0;
      if (o.method === 'ddpm') {
        // μ̃_t = √ᾱ_prev β_t/(1−ᾱ_t) x_0 + √α_t (1−ᾱ_prev)/(1−ᾱ_t) x_t (eq. 7)
        const mean = ((Math.sqrt(abP) * betaT) / (1 - abT)) * x0 + ((Math.sqrt(1 - betaT) * (1 - abP)) / (1 - abT)) * xi;
        x[i] = mean + sigma * z;
      } else {
        const epsHat = (xi - Math.sqrt(abT) * x0) / Math.sqrt(1 - abT);
        x[i] = Math.sqrt(abP) * x0 + Math.sqrt(1 - abP - sigma * sigma) * epsHat + sigma * z; // Song et al. eq. 12
      }
    }
  }
  return x;
}


const model = linearModelOnCpu(spec, { name: 'linear' });

describe('sample() on onnxruntime-node vs a float64 reference loop', () => {
  it('DDPM ancestral over all T steps (fixed_small, clip_sample)', async () => {
    const cfg = config();
    const res = await sample(model(), createScheduler(cfg, { method: 'ddpm' }), { batch: BATCH, noise: new PhiloxNoise(11) });
    expect(res.shape).toEqual([BATCH, ...ITEM]);
    expect(res.timings.steps).toBe(T);
    const ref = referenceSample(spec, cfg, { method: 'ddpm', seed: 11 });
    expect(maxAbsDiff(res.samples, ref)).toBeLessThan(1e-4);
    // The samples are not trivially zero or identical to x_T.
    expect(Math.max(...res.samples.map(Math.abs))).toBeGreaterThan(0.05);
  });

  it('DDPM with fixed_large variance and no clipping', async () => {
    const cfg = config({ variance_type: 'fixed_large', clip_sample: false });
    const res = await sample(model(), createScheduler(cfg, { method: 'ddpm' }), { batch: BATCH, noise: new PhiloxNoise(12) });
    const ref = referenceSample(spec, cfg, { method: 'ddpm', seed: 12 });
    expect(maxAbsDiff(res.samples, ref)).toBeLessThan(1e-4);
  });

  it('DDIM, 50 steps, η = 0 and η = 0.7', async () => {
    const cfg = config({ clip_sample: false });
    for (const eta of [0, 0.7]) {
      const res = await sample(model(), createScheduler(cfg, { method: 'ddim', steps: 50, eta }), { batch: BATCH, noise: new PhiloxNoise(5) });
      expect(res.timings.steps).toBe(50);
      const ref = referenceSample(spec, cfg, { method: 'ddim', steps: 50, eta, seed: 5 });
      expect(maxAbsDiff(res.samples, ref)).toBeLessThan(1e-4);
    }
  });

  it('DDIM with clip_sample and steps_offset 1', async () => {
    const cfg = config({ steps_offset: 1 });
    const res = await sample(model(), createScheduler(cfg, { method: 'ddim', steps: 20, eta: 0.3 }), { batch: BATCH, noise: new PhiloxNoise(8) });
    const ref = referenceSample(spec, cfg, { method: 'ddim', steps: 20, eta: 0.3, seed: 8 });
    expect(maxAbsDiff(res.samples, ref)).toBeLessThan(1e-4);
  });

  it('v_prediction and sample prediction types (DDPM and DDIM)', async () => {
    for (const prediction_type of ['v_prediction', 'sample'] as const) {
      const cfg = config({ prediction_type, clip_sample: false });
      const ddim = await sample(model(), createScheduler(cfg, { method: 'ddim', steps: 25, eta: 0.5 }), { batch: BATCH, noise: new PhiloxNoise(3) });
      expect(maxAbsDiff(ddim.samples, referenceSample(spec, cfg, { method: 'ddim', steps: 25, eta: 0.5, seed: 3 }))).toBeLessThan(1e-4);
      const ddpm = await sample(model(), createScheduler(cfg, { method: 'ddpm' }), { batch: BATCH, noise: new PhiloxNoise(4) });
      expect(maxAbsDiff(ddpm.samples, referenceSample(spec, cfg, { method: 'ddpm', seed: 4 }))).toBeLessThan(1e-4);
    }
  });

  it('is byte-identical for the same seed and differs for another', async () => {
    const cfg = config();
    const run = async (seed: number) =>
      (await sample(model(), createScheduler(cfg, { method: 'ddim', steps: 30, eta: 1 }), { batch: BATCH, noise: new PhiloxNoise(seed) })).samples;
    const a = await run(99);
    const b = await run(99);
    const c = await run(100);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('calls back every k steps with x_t and x̂_0, and measures model vs loop time', async () => {
    const cfg = config({ clip_sample: false });
    const events: { index: number; t: number; xt: Float32Array; x0: Float32Array }[] = [];
    const res = await sample(model(), createScheduler(cfg, { method: 'ddim', steps: 10 }), {
      batch: BATCH,
      noise: new PhiloxNoise(1),
      callbackEvery: 4,
      onStep: (e: SampleStepEvent) => {
        events.push({ index: e.index, t: e.t, xt: e.xt.slice(), x0: e.x0.slice() });
      },
    });
    expect(events.map((e) => e.index)).toEqual([4, 8, 10]);
    expect(events.map((e) => e.t)).toEqual([600, 200, 0]);
    // At the last step x_{-1} = x̂_0 (ᾱ_prev = 1, η = 0) and equals the result.
    const last = events[2]!;
    expect(maxAbsDiff(last.xt, res.samples)).toBe(0);
    expect(maxAbsDiff(last.x0, res.samples)).toBeLessThan(1e-6);
    expect(maxAbsDiff(events[0]!.xt, events[1]!.xt)).toBeGreaterThan(1e-3);
    const { modelMs, loopMs, totalMs } = res.timings;
    expect(modelMs).toBeGreaterThan(0);
    expect(loopMs).toBeGreaterThan(0);
    expect(modelMs + loopMs).toBeLessThanOrEqual(totalMs + 1e-6);
  });
});

describe('classifier-free guidance', () => {
  const K = 3;
  const condSpec: LinearModelSpec = { ...spec, numClasses: K, classTable: testValues((K + 1) * 18, 21, -0.5, 0.5) };
  const labels = Int32Array.from([0, 2, 1]);
  const cond = linearModelOnCpu(condSpec, { numClasses: K, name: 'cond' });

  it('makes one model call of batch 2N per step (labels, then "no label") and matches the reference', async () => {
    const calls: { batch: number; labels: number[] }[] = [];
    const recording: DenoiserModel = {
      info: cond().info,
      predict(x, shape, t, l) {
        calls.push({ batch: shape[0]!, labels: Array.from(l ?? []) });
        return cond().predict(x, shape, t, l);
      },
    };
    const cfg = config({ clip_sample: false });
    const res = await sample(recording, createScheduler(cfg, { method: 'ddim', steps: 20, eta: 0.5 }), { batch: BATCH, noise: new PhiloxNoise(2), classLabels: labels, guidance: 3 });
    expect(calls).toHaveLength(20);
    expect(calls.every((c) => c.batch === 2 * BATCH && c.labels.join() === '0,2,1,3,3,3')).toBe(true);
    const ref = referenceSample(condSpec, cfg, { method: 'ddim', steps: 20, eta: 0.5, seed: 2, labels: [0, 2, 1], guidance: 3 });
    expect(maxAbsDiff(res.samples, ref)).toBeLessThan(1e-4);
    // Guidance changes the result compared with plain conditional sampling.
    const plain = await sample(cond(), createScheduler(cfg, { method: 'ddim', steps: 20, eta: 0.5 }), { batch: BATCH, noise: new PhiloxNoise(2), classLabels: labels });
    expect(maxAbsDiff(res.samples, plain.samples)).toBeGreaterThan(1e-2);
  });

  it('the batched 2N call gives the same as two separate N calls combined', async () => {
    const d = itemSize(condSpec);
    const separate: DenoiserModel = {
      info: cond().info,
      async predict(x, shape, t, l) {
        const n = shape[0]! / 2;
        const out = new Float32Array(x.length);
        const c = await cond().predict(x.slice(0, n * d), [n, ...ITEM], t.slice(0, n), l!.slice(0, n));
        out.set(c, 0);
        const u = await cond().predict(x.slice(n * d), [n, ...ITEM], t.slice(n), l!.slice(n));
        out.set(u, n * d);
        return out;
      },
    };
    const scheduler = createScheduler(config(), { method: 'ddpm' });
    const opts = { batch: BATCH, classLabels: labels, guidance: 2.5 };
    const batched = await sample(cond(), scheduler, { ...opts, noise: new PhiloxNoise(6) });
    const split = await sample(separate, scheduler, { ...opts, noise: new PhiloxNoise(6) });
    expect(maxAbsDiff(batched.samples, split.samples)).toBeLessThan(1e-6);
  });

  it('rejects guidance without labels or on an unconditional model', async () => {
    const cfg = config();
    await expect(sample(cond(), createScheduler(cfg, { method: 'ddim', steps: 5 }), { batch: 2, noise: new PhiloxNoise(1), guidance: 2 })).rejects.toThrow(/needs class labels/);
    await expect(sample(model(), createScheduler(cfg, { method: 'ddim', steps: 5 }), { batch: 2, noise: new PhiloxNoise(1), guidance: 2 })).rejects.toThrow(/class-conditional/);
    await expect(
      sample(cond(), createScheduler(cfg, { method: 'ddim', steps: 5 }), { batch: 2, noise: new PhiloxNoise(1), classLabels: Int32Array.from([0, 4]) }),
    ).rejects.toThrow(/class label 4 is outside \[0, 3\]/);
  });
});
