/**
 * The reverse-process skeleton every sampler runs (the sampler's core and device-resident loops,
 * the trainer's previews): x_T from noise stream 0, then for each step of the scheduler the abort
 * check, z from stream k + 1 when the step adds noise, and the caller's `step` hook, which runs the
 * model and the scheduler's step wherever x_t lives (host arrays, GPU tensors, TF.js).
 * Runtime-free, so both the trainer and the sampler use it.
 *
 * Later samplers are additions here, not copies: img2img / inpainting start at a step index with
 * x_t = scheduler.addNoise(x_0, …) instead of x_T; inpainting replaces the known region after each
 * step (an `afterStep` hook); inversion is a scheduler whose timesteps run forwards.
 */

import type { NoiseSource } from './gaussian.js';
import type { Scheduler } from './scheduler.js';

/** One step of a reverse run, as the `step` hook receives it. */
export interface ReverseStep {
  /** Index into the scheduler's timesteps. */
  k: number;
  /** 1-based number of this step in the run, and the run's number of steps. */
  index: number;
  total: number;
  /** The timestep this step starts from, and the one it goes to (−1 = the final step). */
  t: number;
  prevT: number;
  /** z of this step (noise index k + 1), or null when the step adds none. A buffer reused by every step. */
  z: Float32Array | null;
  /** Whether the caller's progress callback is due (every `callbackEvery` steps and after the last). */
  report: boolean;
}

export interface ReverseLoopOptions {
  noise: NoiseSource;
  /** Items in this run and elements per item. */
  batch: number;
  itemSize: number;
  /**
   * Global index of this run's first item (default 0): item i draws its noise at element
   * (firstSample + i)·itemSize of every noise stream, so N samples drawn in batches or shards are
   * bitwise the ones one batch of N gives with the same seed.
   */
  firstSample?: number;
  /** Positive integer; default 1. */
  callbackEvery?: number;
  /** An AbortSignal (typed structurally: this package runs without DOM or Node types). */
  signal?: { readonly aborted: boolean; readonly reason?: unknown };
}

export interface ReverseLoopHooks {
  /** Receives x_T (host memory, the loop does not keep it): put it where the runtime keeps x_t. */
  start(xT: Float32Array): void | Promise<void>;
  /** One reverse step on the runtime's x_t: the model call(s), then the scheduler's step k. */
  step(s: ReverseStep): void | Promise<void>;
}

/** Runs the reverse process of `scheduler` through `hooks` (Ho et al. 2020, Alg. 2; Song et al. 2021, eq. 12). */
export async function runReverseLoop(scheduler: Scheduler, opts: ReverseLoopOptions, hooks: ReverseLoopHooks): Promise<void> {
  const size = opts.batch * opts.itemSize;
  const offset = (opts.firstSample ?? 0) * opts.itemSize;
  const every = opts.callbackEvery ?? 1;
  const xT = new Float32Array(size);
  opts.noise.fill(0, xT, offset);
  await hooks.start(xT);
  const z = new Float32Array(size);
  const total = scheduler.length;
  for (let k = 0; k < total; k++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('sampling aborted');
    // Noise index k + 1 is drawn only for steps that use it (DDPM: t > 0; DDIM: η > 0, not the last).
    const addsNoise = scheduler.addsNoise(k);
    if (addsNoise) opts.noise.fill(k + 1, z, offset);
    const index = k + 1;
    await hooks.step({
      k,
      index,
      total,
      t: scheduler.timesteps[k]!,
      prevT: scheduler.prevTimesteps[k]!,
      z: addsNoise ? z : null,
      report: index % every === 0 || index === total,
    });
  }
}
