import { ddim, PhiloxNoise, type SchedulerConfig, slerp } from '@onnx-ddpm/schedule';
import type { DenoiserModel } from './denoiser.js';
import { SamplerError } from './errors.js';
import { invert, reconstruct } from './invert.js';
import { type SampleOptions, type SampleResult, sample } from './sample.js';

/**
 * `frames` latents on the great circle from `a` to `b` (slerp at α = f/(frames − 1)), stacked:
 * float32 [frames × a.length]. Run them through deterministic DDIM for an interpolation strip.
 */
export function interpolateLatents(a: Float32Array, b: Float32Array, frames: number): Float32Array {
  if (!Number.isInteger(frames) || frames < 2) throw new SamplerError(`frames must be an integer ≥ 2, got ${frames}`);
  if (a.length !== b.length) throw new SamplerError(`the two latents differ in size (${a.length} and ${b.length} values)`);
  const out = new Float32Array(frames * a.length);
  for (let f = 0; f < frames; f++) slerp(a, b, f / (frames - 1), out.subarray(f * a.length, (f + 1) * a.length));
  return out;
}

/** An end of an interpolation: a seed (x_T = its noise stream 0) or the items of one frame, x_0, to invert with DDIM. */
export type InterpolationEnd = { seed: number } | { images: Float32Array };

/** The phases of {@link interpolate}, in order (the inversions only for image ends). */
export type InterpolationPhase = 'invert-from' | 'invert-to' | 'frames';

export interface InterpolateOptions extends Pick<SampleOptions, 'callbackEvery' | 'onStep' | 'signal'> {
  frames: number;
  /** DDIM steps (η = 0) of the inversions and of every frame. */
  steps: number;
  /** Items per frame: 1 image, or the points of a 2-D model (their latents interpolated as one vector). */
  items: number;
  /** One label per item of a frame, or null (unconditional / no label). */
  classLabels?: Int32Array | null;
  /** Called as each phase starts; `onStep` then counts that phase's steps. */
  onPhase?: (phase: InterpolationPhase) => void;
}

/**
 * The interpolation strip's frames, float32 [frames × items, ...item]: x_T of each end (a seed's
 * noise, or an image inverted by DDIM), `frames` latents by slerp, then deterministic DDIM. Seeds get
 * the model's own DDIM (x̂_0 clipped as configured); an inverted end needs the unclipped ODE that
 * inverted it (`reconstruct`).
 */
export async function interpolate(
  model: DenoiserModel,
  config: SchedulerConfig,
  from: InterpolationEnd,
  to: InterpolationEnd,
  opts: InterpolateOptions,
): Promise<SampleResult> {
  const { frames, steps, items, onPhase, ...loop } = opts;
  if (!Number.isInteger(items) || items < 1) throw new SamplerError(`items per frame must be a positive integer, got ${items}`);
  const itemSize = model.info.sampleShape.reduce((a, b) => a * b, 1);
  const labels = opts.classLabels ?? null;
  if (labels && labels.length !== items) throw new SamplerError(`classLabels has ${labels.length} entries for ${items} items per frame`);
  const latent = async (end: InterpolationEnd, phase: InterpolationPhase): Promise<Float32Array> => {
    if ('seed' in end) {
      const x = new Float32Array(items * itemSize);
      new PhiloxNoise(end.seed).fill(0, x);
      return x;
    }
    if (end.images.length !== items * itemSize) {
      throw new SamplerError(`an end of the interpolation has ${end.images.length} values; one frame is ${items} × ${itemSize}`);
    }
    onPhase?.(phase);
    return (await invert(model, config, end.images, { ...loop, steps, classLabels: labels })).samples;
  };
  const path = interpolateLatents(await latent(from, 'invert-from'), await latent(to, 'invert-to'), frames);
  const frameLabels = labels && Int32Array.from({ length: frames * items }, (_, i) => labels[i % items]!);
  onPhase?.('frames');
  if ('seed' in from && 'seed' in to) {
    return sample(model, ddim(config, { steps }), { ...loop, batch: frames * items, from: { latents: path }, classLabels: frameLabels });
  }
  return reconstruct(model, config, path, { ...loop, steps, classLabels: frameLabels });
}
