import type { SchedulerConfig } from '@onnx-ddpm/schedule';

/** Optimisation hyper-parameters of one replica (everything its update depends on besides the batch). */
export interface TrainHyper {
  /** The noise schedule whose tables give x_t. */
  scheduler: SchedulerConfig;
  /** Peak Adam learning rate. */
  lr: number;
  /** Steps of linear learning-rate warm-up from lr/warmupSteps to lr. */
  warmupSteps: number;
  /** Global gradient-norm clip (≤ 0 disables). */
  gradClip: number;
  /** EMA decay of the weights (ramped in early on, see emaDecayAt). */
  emaDecay: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEps: number;
}

/** Learning rate of (0-based) step `step`: linear warm-up, then constant (Ho et al. 2020, appendix B). */
export function learningRateAt(hyper: Pick<TrainHyper, 'lr' | 'warmupSteps'>, step: number): number {
  if (hyper.warmupSteps <= 0) return hyper.lr;
  return hyper.lr * Math.min(1, (step + 1) / hyper.warmupSteps);
}

/** EMA decay used after step `step`: min(decay, (1 + step) / (10 + step)), so early averages are not dominated by the initial weights. */
export function emaDecayAt(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}
