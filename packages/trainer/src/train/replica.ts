import * as tf from '@tensorflow/tfjs-core';
import { computeTables } from '@onnx-ddpm/schedule';
import { createModel, type EpsNet, type ModelConfig } from '../model/index.js';
import type { TrainBatch } from './batch-types.js';
import { emaDecayAt, learningRateAt, type TrainHyper } from './hyper.js';
import { checkStateShape, cloneState, type ReplicaState } from './state.js';

/** What a replica is built from; plain data, so it can be sent to a worker thread. */
export interface ReplicaInit {
  modelConfig: ModelConfig;
  train: TrainHyper;
  /** Seeds the initial weights (ignored when `state` is given). */
  seed: number;
  /** Continue from this state (weights, EMA, Adam moments). */
  state?: ReplicaState;
}

/**
 * One model replica with its optimiser and EMA, inside the current TF.js backend. The forward and
 * backward passes run in TF.js; the update (clip, Adam, EMA) runs on plain Float32Arrays, so every
 * replica that is given the same gradients ends with bitwise the same weights.
 */
export class TrainReplica {
  private readonly state: ReplicaState;
  private readonly sqrtAlphaBars: tf.Tensor1D;
  private readonly sqrtOneMinusAlphaBars: tf.Tensor1D;

  private constructor(
    readonly model: EpsNet,
    private readonly hyper: TrainHyper,
    state: ReplicaState,
  ) {
    this.state = state;
    const tables = computeTables(hyper.scheduler);
    this.sqrtAlphaBars = tf.tensor1d(tables.sqrtAlphaBars, 'float32');
    this.sqrtOneMinusAlphaBars = tf.tensor1d(tables.sqrtOneMinusAlphaBars, 'float32');
  }

  static create(init: ReplicaInit): TrainReplica {
    const model = createModel(init.modelConfig, init.seed);
    const sizes = model.params.map((p) => p.size);
    let state: ReplicaState;
    if (init.state) {
      checkStateShape(init.state, sizes, 'replica state');
      state = cloneState(init.state);
      // Copies: on the cpu backend a tensor keeps the array it was made from.
      model.setWeights(state.weights.map((w) => w.slice()));
    } else {
      const weights = model.getWeights();
      state = {
        weights,
        ema: weights.map((w) => w.slice()),
        adamM: sizes.map((n) => new Float32Array(n)),
        adamV: sizes.map((n) => new Float32Array(n)),
      };
    }
    return new TrainReplica(model, init.train, state);
  }

  /**
   * L_simple = mean‖ε − ε_θ(x_t, t)‖² and its gradients (in params order) for one batch. Reads back
   * asynchronously: the WebGPU backend has no synchronous read in Node.
   */
  async computeGradients(batch: TrainBatch): Promise<{ loss: number; grads: Float32Array[] }> {
    const { value, grads } = tf.tidy(() => {
      const n = batch.shape[0]!;
      const x0 = tf.tensor(batch.x0, batch.shape, 'float32');
      const eps = tf.tensor(batch.eps, batch.shape, 'float32');
      const t = tf.tensor1d(batch.t, 'int32');
      const labels = batch.labels ? tf.tensor1d(batch.labels, 'int32') : null;
      const perItem = [n, ...batch.shape.slice(1).map(() => 1)];
      // x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε  (Ho et al. 2020, eq. 4 / the argument of eq. 14)
      const xt = tf.add(
        tf.mul(tf.reshape(tf.gather(this.sqrtAlphaBars, t), perItem), x0),
        tf.mul(tf.reshape(tf.gather(this.sqrtOneMinusAlphaBars, t), perItem), eps),
      );
      // L_simple (Ho et al. 2020, eq. 14)
      const lossFn = () =>
        tf.mean(
          tf.square(tf.sub(eps, this.model.apply(xt, t, labels, { training: true, dropoutSeed: batch.dropoutSeed }))),
        ) as tf.Scalar;
      return tf.variableGrads(lossFn, this.model.params);
    });
    const loss = (await value.data())[0]!;
    value.dispose();
    const out = await Promise.all(
      this.model.params.map(async (p) => {
        const g = grads[p.name];
        if (!g) return new Float32Array(p.size);
        const data = Float32Array.from((await g.data()) as Float32Array);
        g.dispose();
        return data;
      }),
    );
    return { loss, grads: out };
  }

  /**
   * Applies gradients for (0-based) step `step`: scale by the global-norm clip, one Adam step with the
   * warmed-up learning rate (Kingma & Ba 2015, algorithm 1), then the EMA of the weights.
   */
  applyGradients(grads: Float32Array[], step: number): { gradNorm: number } {
    const { weights, ema, adamM, adamV } = this.state;
    let sumSquares = 0;
    for (const g of grads) for (let k = 0; k < g.length; k++) sumSquares += g[k]! * g[k]!;
    const gradNorm = Math.sqrt(sumSquares);
    const h = this.hyper;
    const scale = h.gradClip > 0 && gradNorm > h.gradClip ? h.gradClip / gradNorm : 1;
    const lr = learningRateAt(h, step);
    const b1 = h.adamBeta1;
    const b2 = h.adamBeta2;
    const correction1 = 1 - b1 ** (step + 1);
    const correction2 = 1 - b2 ** (step + 1);
    const decay = emaDecayAt(h.emaDecay, step);
    for (let i = 0; i < grads.length; i++) {
      const g = grads[i]!;
      const w = weights[i]!;
      const m = adamM[i]!;
      const v = adamV[i]!;
      const e = ema[i]!;
      for (let k = 0; k < g.length; k++) {
        const gk = g[k]! * scale;
        m[k] = b1 * m[k]! + (1 - b1) * gk;
        v[k] = b2 * v[k]! + (1 - b2) * gk * gk;
        w[k] = w[k]! - (lr * (m[k]! / correction1)) / (Math.sqrt(v[k]! / correction2) + h.adamEps);
        e[k] = decay * e[k]! + (1 - decay) * w[k]!;
      }
    }
    this.model.setWeights(weights.map((w) => w.slice()));
    return { gradNorm };
  }

  /** A copy of the weights, EMA and Adam moments. */
  getState(): ReplicaState {
    return cloneState(this.state);
  }

  dispose(): void {
    this.sqrtAlphaBars.dispose();
    this.sqrtOneMinusAlphaBars.dispose();
    this.model.dispose();
  }
}
