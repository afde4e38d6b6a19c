import * as tf from '@tensorflow/tfjs-core';
import type { OnnxEmitter } from '../emitter.js';
import type { ParamScope } from '../params.js';
import { Conv2d } from './conv2d.js';
import { Dense } from './dense.js';
import { GroupNorm } from './group-norm.js';
import { emitSwish, swish } from './swish.js';

/** Dropout settings of one forward pass. */
export interface DropoutContext {
  training: boolean;
  rate: number;
  /** Base seed; each block derives its own stream from it. Undefined = unseeded. */
  seed: number | undefined;
}

/**
 * Residual block (Ho et al. 2020, labml layout): GroupNorm → Swish → 3×3 conv, + a dense
 * projection of the Swish-activated time embedding, GroupNorm → Swish → dropout → 3×3 conv,
 * plus the input (through a 1×1 conv when the width changes).
 */
export class ResBlock {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly timeProj: Dense;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly shortcut: Conv2d | null;

  constructor(
    scope: ParamScope,
    readonly inChannels: number,
    readonly outChannels: number,
    timeDim: number,
    groups: number,
    /** Index of this block among the network's blocks (its dropout stream). */
    readonly index: number,
  ) {
    this.norm1 = new GroupNorm(scope.child('norm1'), groups, inChannels);
    this.conv1 = new Conv2d(scope.child('conv1'), inChannels, outChannels, 3);
    this.timeProj = new Dense(scope.child('time'), timeDim, outChannels);
    this.norm2 = new GroupNorm(scope.child('norm2'), groups, outChannels);
    this.conv2 = new Conv2d(scope.child('conv2'), outChannels, outChannels, 3);
    this.shortcut = inChannels === outChannels ? null : new Conv2d(scope.child('shortcut'), inChannels, outChannels, 1);
  }

  /** x: NHWC [N, H, W, in]; timeAct: Swish(time embedding) [N, timeDim]. */
  apply(x: tf.Tensor4D, timeAct: tf.Tensor2D, dropout: DropoutContext): tf.Tensor4D {
    const n = x.shape[0];
    let h = this.conv1.apply(swish(this.norm1.apply(x)));
    h = tf.add(h, tf.reshape(this.timeProj.apply(timeAct), [n, 1, 1, this.outChannels]));
    let a = swish(this.norm2.apply(h));
    if (dropout.training && dropout.rate > 0) {
      const seed = dropout.seed === undefined ? undefined : `${dropout.seed}/${this.index}`;
      a = tf.dropout(a, dropout.rate, undefined, seed) as tf.Tensor4D;
    }
    h = this.conv2.apply(a);
    return tf.add(h, this.shortcut ? this.shortcut.apply(x) : x);
  }

  /** NCHW input [N, in, side, side] → [N, out, side, side]. */
  emit(e: OnnxEmitter, input: string, timeAct: string, side: number): string {
    let h = this.conv1.emit(e, emitSwish(e, this.norm1.emit(e, input, side)));
    const time = e.op('Unsqueeze', [this.timeProj.emit(e, timeAct), e.ints([2, 3])]);
    h = e.op('Add', [h, time]);
    h = this.conv2.emit(e, emitSwish(e, this.norm2.emit(e, h, side)));
    return e.op('Add', [h, this.shortcut ? this.shortcut.emit(e, input) : input]);
  }
}
