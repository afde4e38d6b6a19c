import * as tf from '@tensorflow/tfjs-core';
import { type UNetConfig, unetTimeDim } from './config.js';
import type { OnnxEmitter } from './emitter.js';
import { Attention } from './modules/attention.js';
import { Conv2d } from './modules/conv2d.js';
import { ConvTranspose2d } from './modules/conv-transpose2d.js';
import { GroupNorm } from './modules/group-norm.js';
import { LabelEmbedding } from './modules/label-embedding.js';
import { type DropoutContext, ResBlock } from './modules/res-block.js';
import { emitSwish, swish } from './modules/swish.js';
import { TimeEmbedding } from './modules/time-embedding.js';
import type { ParamScope } from './params.js';

/** A residual block, optionally followed by self-attention, at one resolution. */
interface Stage {
  res: ResBlock;
  attn: Attention | null;
}

interface DownLevel {
  stages: Stage[];
  downsample: Conv2d | null;
  side: number;
}

interface UpLevel {
  stages: Stage[];
  upsample: ConvTranspose2d | null;
  side: number;
}

/** ONNX value names of the model inputs and of the output to produce. */
export interface GraphIO {
  sample: string;
  timestep: string;
  classLabels: string | null;
  outSample: string;
}

/**
 * ε-prediction U-Net (Ho et al. 2020; labml layout): input conv, levels of residual blocks
 * (+ attention at chosen resolutions) with stride-2 conv down-sampling, a middle
 * res → attn → res, an up path that concatenates the skips and up-samples with 4×4
 * transposed convs, and GroupNorm → Swish → 3×3 conv out. Level i has baseChannels × mult[i].
 */
export class UNet {
  readonly time: TimeEmbedding;
  readonly label: LabelEmbedding | null;
  readonly input: Conv2d;
  readonly down: DownLevel[] = [];
  readonly middle: [ResBlock, Attention, ResBlock];
  readonly up: UpLevel[] = [];
  readonly outNorm: GroupNorm;
  readonly outConv: Conv2d;

  constructor(
    scope: ParamScope,
    readonly config: UNetConfig,
  ) {
    const { baseChannels: base, groups, imageSize } = config;
    const timeDim = unetTimeDim(config);
    this.time = new TimeEmbedding(scope.child('time'), base, timeDim);
    this.label = config.numClasses > 0 ? new LabelEmbedding(scope.child('label'), config.numClasses, timeDim) : null;
    this.input = new Conv2d(scope.child('input'), config.channels, base, 3);
    let blockIndex = 0;
    const stage = (s: ParamScope, b: number, inCh: number, outCh: number, side: number): Stage => ({
      res: new ResBlock(s.child('res').child(b), inCh, outCh, timeDim, groups, blockIndex++),
      attn: config.attentionResolutions.includes(side) ? new Attention(s.child('attn').child(b), outCh, groups) : null,
    });
    const widths = config.channelMultipliers.map((m) => base * m);
    const skips: number[] = [base];
    let ch = base;
    widths.forEach((width, i) => {
      const s = scope.child('down').child(i);
      const side = imageSize / 2 ** i;
      const stages: Stage[] = [];
      for (let b = 0; b < config.numResBlocks; b++) {
        stages.push(stage(s, b, ch, width, side));
        ch = width;
        skips.push(ch);
      }
      const last = i === widths.length - 1;
      const downsample = last ? null : new Conv2d(s.child('downsample'), ch, ch, 3, 2);
      if (!last) skips.push(ch);
      this.down.push({ stages, downsample, side });
    });
    const mid = scope.child('mid');
    this.middle = [
      new ResBlock(mid.child('res1'), ch, ch, timeDim, groups, blockIndex++),
      new Attention(mid.child('attn'), ch, groups),
      new ResBlock(mid.child('res2'), ch, ch, timeDim, groups, blockIndex++),
    ];
    for (let i = widths.length - 1; i >= 0; i--) {
      const s = scope.child('up').child(i);
      const side = imageSize / 2 ** i;
      const width = widths[i] as number;
      const stages: Stage[] = [];
      for (let b = 0; b <= config.numResBlocks; b++) {
        stages.push(stage(s, b, ch + (skips.pop() as number), width, side));
        ch = width;
      }
      const upsample = i > 0 ? new ConvTranspose2d(s.child('upsample'), ch, ch) : null;
      this.up.push({ stages, upsample, side });
    }
    if (skips.length !== 0) throw new Error('U-Net skip bookkeeping mismatch');
    this.outNorm = new GroupNorm(scope.child('out').child('norm'), groups, ch);
    this.outConv = new Conv2d(scope.child('out').child('conv'), ch, config.channels, 3);
  }

  /** x: NHWC [N, S, S, C]; t: int32 [N]; labels: int32 [N] or null (unconditional). */
  apply(x: tf.Tensor4D, t: tf.Tensor1D, labels: tf.Tensor1D | null, dropout: DropoutContext): tf.Tensor4D {
    let emb = this.time.apply(t);
    if (this.label && labels) emb = tf.add(emb, this.label.apply(labels));
    const timeAct = swish(emb);
    const runStage = (st: Stage, h: tf.Tensor4D) => {
      const r = st.res.apply(h, timeAct, dropout);
      return st.attn ? st.attn.apply(r) : r;
    };
    let h = this.input.apply(x);
    const skips: tf.Tensor4D[] = [h];
    for (const level of this.down) {
      for (const st of level.stages) {
        h = runStage(st, h);
        skips.push(h);
      }
      if (level.downsample) {
        h = level.downsample.apply(h);
        skips.push(h);
      }
    }
    const [res1, attn, res2] = this.middle;
    h = res2.apply(attn.apply(res1.apply(h, timeAct, dropout)), timeAct, dropout);
    for (const level of this.up) {
      for (const st of level.stages) h = runStage(st, tf.concat([h, skips.pop() as tf.Tensor4D], 3));
      if (level.upsample) h = level.upsample.apply(h);
    }
    return this.outConv.apply(swish(this.outNorm.apply(h)));
  }

  /**
   * Forward FLOPs per image (2 × multiply-adds of the convolutions, dense layers and attention
   * products; normalisation and element-wise ops are not counted).
   */
  forwardFlops(): number {
    const conv = (m: Conv2d, outSide: number) => m.kernelSize ** 2 * m.inChannels * m.outChannels * outSide ** 2;
    const res = (r: ResBlock, side: number) =>
      conv(r.conv1, side) + conv(r.conv2, side) + (r.shortcut ? conv(r.shortcut, side) : 0) + r.timeProj.inFeatures * r.outChannels;
    const attn = (a: Attention, side: number) => 4 * a.channels ** 2 * side ** 2 + 2 * side ** 4 * a.channels;
    const stage = (st: Stage, side: number) => res(st.res, side) + (st.attn ? attn(st.attn, side) : 0);
    const t = this.time;
    let macs = t.sinusoidDim * t.outDim + t.outDim ** 2 + conv(this.input, this.config.imageSize);
    for (const level of this.down) {
      for (const st of level.stages) macs += stage(st, level.side);
      if (level.downsample) macs += conv(level.downsample, level.side / 2);
    }
    const lowest = this.down[this.down.length - 1]?.side as number;
    const [res1, midAttn, res2] = this.middle;
    macs += res(res1, lowest) + attn(midAttn, lowest) + res(res2, lowest);
    for (const level of this.up) {
      for (const st of level.stages) macs += stage(st, level.side);
      const up = level.upsample;
      if (up) macs += ConvTranspose2d.KERNEL ** 2 * up.inChannels * up.outChannels * level.side ** 2;
    }
    return 2 * (macs + conv(this.outConv, this.config.imageSize));
  }

  /** Emits the whole network on NCHW `sample`; returns the output value name. */
  emit(e: OnnxEmitter, io: GraphIO): string {
    let emb = this.time.emit(e, io.timestep);
    if (this.label && io.classLabels) emb = e.op('Add', [emb, this.label.emit(e, io.classLabels)]);
    const timeAct = emitSwish(e, emb);
    const runStage = (st: Stage, h: string, side: number) => {
      const r = st.res.emit(e, h, timeAct, side);
      return st.attn ? st.attn.emit(e, r, side) : r;
    };
    let h = this.input.emit(e, io.sample);
    const skips: string[] = [h];
    for (const level of this.down) {
      for (const st of level.stages) {
        h = runStage(st, h, level.side);
        skips.push(h);
      }
      if (level.downsample) {
        h = level.downsample.emit(e, h);
        skips.push(h);
      }
    }
    const [res1, attn, res2] = this.middle;
    const lowest = this.down[this.down.length - 1]?.side as number;
    h = res1.emit(e, h, timeAct, lowest);
    h = res2.emit(e, attn.emit(e, h, lowest), timeAct, lowest);
    for (const level of this.up) {
      for (const st of level.stages) {
        h = runStage(st, e.op('Concat', [h, skips.pop() as string], { axis: 1 }), level.side);
      }
      if (level.upsample) h = level.upsample.emit(e, h);
    }
    return this.outConv.emit(e, emitSwish(e, this.outNorm.emit(e, h, this.config.imageSize)), io.outSample);
  }
}
