/**
 * The reverse-process skeleton every sampler runs (the sampler's core and device-resident loops,
 * the trainer's previews): x_T from noise stream 0, then for each step of the scheduler the abort
 * check, z from stream k + 1 when the step adds noise, and the caller's `step` hook, which runs the
 * model and the scheduler's step wherever x_t lives (host arrays, GPU tensors, TF.js).
 * Runtime-free, so both the trainer and the sampler use it.
 *
 * The editing samplers are additions here, not copies: img2img starts at a step index with
 * x_t = q(x_t | x_0) (option `from`), a run from given latents (DDIM reconstruction, interpolation)
 * or images (DDIM inversion, a scheduler whose timesteps run forwards) starts from them; inpainting
 * replaces the known region after each step (`afterStep`) and may run each step several times,
 * noising x_prevT back to x_t in between (`resample`, RePaint).
 *
 * Noise streams (all elements at (firstSample + i)·itemSize): 0 = x_T (or the ε of q(x_t | x_0)),
 * k + 1 = z of step k; with resampling, repeat j ≥ 1 of step k draws its z from stream
 * (2j − 1)(K + 1) + k + 1 and the ε of the jump back before it from 2j(K + 1) + k + 1 (K steps).
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
  /** 0-based run of this step when resampling (see `resample`), else 0. */
  repeat: number;
}

/** Where a run starts instead of x_T drawn from noise stream 0. */
export type ReverseLoopStart =
  /** x at timesteps[0] as given (latents of an inversion, or images x_0 for an inversion scheduler). */
  | { latents: Float32Array }
  /**
   * img2img (SDEdit, Meng et al. 2022): run steps `step` … K − 1 from x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε,
   * t = timesteps[step], ε from stream 0 (Ho et al. 2020, eq. 4). step 0 = x_T from noise as without
   * `from` (bitwise); step K = no step, the result is x_0.
   */
  | { x0: Float32Array; step: number };

/** The known part of x after each step (RePaint): the caller replaces it with q(x_prevT | x_0) drawn with `eps`. */
export interface KnownRegionStep extends ReverseStep {
  /** ε for q(x_prevT | x_0): this step's z when it drew one, else stream 0's (the run's ε; deterministic DDIM). */
  eps: Float32Array;
}

export interface ReverseLoopOptions {
  /** May be omitted only when nothing is drawn: a run from `latents` whose steps add no noise, without `afterStep`. */
  noise?: NoiseSource;
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
  /** Start from given values instead of x_T (img2img, latents, inversion). */
  from?: ReverseLoopStart;
  /** Runs of each step but the final one (RePaint's U, jump length 1); default 1. Needs `renoise` and `afterStep`. */
  resample?: number;
}

export interface ReverseLoopHooks {
  /** Receives x_T (host memory, the loop does not keep it): put it where the runtime keeps x_t. */
  start(xT: Float32Array): void | Promise<void>;
  /** One reverse step on the runtime's x_t: the model call(s), then the scheduler's step k. */
  step(s: ReverseStep): void | Promise<void>;
  /** Inpainting: after each step, replace the known region of x_prevT (RePaint, Lugmayr et al. 2022, eq. 8). */
  afterStep?(s: KnownRegionStep): void | Promise<void>;
  /** Resampling: x_prevT → x_t with `eps` (the runtime calls scheduler.renoise(s.k, …)). */
  renoise?(s: ReverseStep, eps: Float32Array): void | Promise<void>;
}

/** Runs the reverse process of `scheduler` through `hooks` (Ho et al. 2020, Alg. 2; Song et al. 2021, eq. 12). */
export async function runReverseLoop(scheduler: Scheduler, opts: ReverseLoopOptions, hooks: ReverseLoopHooks): Promise<void> {
  const size = opts.batch * opts.itemSize;
  const offset = (opts.firstSample ?? 0) * opts.itemSize;
  const every = opts.callbackEvery ?? 1;
  const total = scheduler.length;
  const repeats = opts.resample ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`resample must be a positive integer, got ${repeats}`);
  if (repeats > 1 && !(hooks.renoise && hooks.afterStep)) throw new RangeError('resampling needs the afterStep and renoise hooks');
  const draw = (stream: number, out: Float32Array) => {
    if (!opts.noise) throw new RangeError(`this run draws noise (stream ${stream}) but was given no noise source`);
    opts.noise.fill(stream, out, offset);
  };
  // ε of stream 0: x_T itself, or the noise of q(x_t | x_0); kept for the known region of steps without z.
  const eps0 = new Float32Array(size);
  if (!(opts.from && 'latents' in opts.from) || hooks.afterStep) draw(0, eps0);
  const first = await startState(scheduler, opts.from, eps0, size);
  await hooks.start(first.x);
  const z = new Float32Array(size);
  const back = repeats > 1 ? new Float32Array(size) : null;
  for (let k = first.step; k < total; k++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('sampling aborted');
    // Noise index k + 1 is drawn only for steps that use it (DDPM: t > 0; DDIM: η > 0, not the last).
    const addsNoise = scheduler.addsNoise(k);
    const index = k + 1;
    const t = scheduler.timesteps[k]!;
    const prevT = scheduler.prevTimesteps[k]!;
    const runs = prevT < 0 ? 1 : repeats;
    for (let repeat = 0; repeat < runs; repeat++) {
      const s: ReverseStep = { k, index, total, t, prevT, z: addsNoise ? z : null, report: false, repeat };
      if (repeat > 0) {
        draw(2 * repeat * (total + 1) + k + 1, back!);
        await hooks.renoise!(s, back!);
      }
      if (addsNoise) draw(repeat === 0 ? k + 1 : (2 * repeat - 1) * (total + 1) + k + 1, z);
      s.report = repeat === runs - 1 && (index % every === 0 || index === total);
      await hooks.step(s);
      if (hooks.afterStep) await hooks.afterStep({ ...s, eps: s.z ?? eps0 });
    }
  }
}

/** x at the first step the run takes, and that step's index. */
async function startState(scheduler: Scheduler, from: ReverseLoopStart | undefined, eps0: Float32Array, size: number) {
  if (!from) return { x: eps0, step: 0 };
  if ('latents' in from) {
    checkStartLength('latents', from.latents, size);
    return { x: from.latents.slice(), step: 0 };
  }
  const { x0, step } = from;
  checkStartLength('x0', x0, size);
  if (!Number.isInteger(step) || step < 0 || step > scheduler.length) {
    throw new RangeError(`start step must be an integer in [0, ${scheduler.length}], got ${step}`);
  }
  if (step === 0) return { x: eps0, step };
  if (step === scheduler.length) return { x: x0.slice(), step };
  const x = new Float32Array(size);
  scheduler.addNoise(x0, eps0, [scheduler.timesteps[step]!], x);
  return { x, step };
}

function checkStartLength(name: string, x: Float32Array, size: number): void {
  if (x.length !== size) throw new RangeError(`${name} has ${x.length} values, the run needs ${size} (batch × item size)`);
}
