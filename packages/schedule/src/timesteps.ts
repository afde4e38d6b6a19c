/** Inference timestep selection as diffusers' DDPMScheduler/DDIMScheduler.set_timesteps. */

import { linspace } from './beta-schedules.js';
import type { SchedulerConfig } from './config.js';

/** numpy's np.round: nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

function checkNumSteps(config: SchedulerConfig, numSteps: number): void {
  const T = config.num_train_timesteps;
  if (!Number.isInteger(numSteps) || numSteps < 1 || numSteps > T) {
    throw new RangeError(`number of inference steps must be an integer in [1, num_train_timesteps = ${T}], got ${numSteps}`);
  }
}

/**
 * The N inference timesteps, descending, for the config's timestep_spacing (T = num_train_timesteps):
 * - leading:  arange(0, N)·(T // N), reversed, + steps_offset
 * - trailing: round(arange(T, 0, −T/N)) − 1
 * - linspace: round(linspace(0, T − 1, N)), reversed
 * Rounding is numpy's (ties to even). Where numpy's float arange would yield N + 1 values for
 * trailing (T/N inexact, e.g. T = 50, N = 29, the extra one being −1), only the first N are kept.
 */
export function inferenceTimesteps(config: SchedulerConfig, numSteps: number): Int32Array {
  checkNumSteps(config, numSteps);
  const T = config.num_train_timesteps;
  const N = numSteps;
  const out = new Int32Array(N);
  switch (config.timestep_spacing) {
    case 'leading': {
      const ratio = Math.floor(T / N);
      for (let i = 0; i < N; i++) out[i] = (N - 1 - i) * ratio + config.steps_offset;
      break;
    }
    case 'trailing': {
      // numpy fills a float arange as start + i·delta with delta = (start + step) − start.
      const delta = T - T / N - T;
      for (let i = 0; i < N; i++) out[i] = roundHalfEven(T + i * delta) - 1;
      break;
    }
    case 'linspace': {
      const points = linspace(0, T - 1, N);
      for (let i = 0; i < N; i++) out[i] = roundHalfEven(points[N - 1 - i]);
      break;
    }
  }
  if (out[0] >= T) {
    throw new RangeError(`steps_offset = ${config.steps_offset} puts timestep ${out[0]} outside [0, ${T - 1}] for ${N} steps`);
  }
  return out;
}

/**
 * diffusers' previous timestep for a schedule of N steps: t − T // N (DDPMScheduler.previous_timestep,
 * DDIMScheduler.step). A negative result means "final step" (ᾱ_prev = 1).
 */
export function previousTimestep(config: SchedulerConfig, numSteps: number, t: number): number {
  checkNumSteps(config, numSteps);
  return t - Math.floor(config.num_train_timesteps / numSteps);
}
