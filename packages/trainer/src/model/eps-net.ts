import * as tf from '@tensorflow/tfjs-core';
import { type ModelConfig, validateModelConfig } from './config.js';
import { type OnnxEmitter, values } from './emitter.js';
import { Mlp } from './mlp.js';
import { assignHostValues, ParamScope, ParamStore } from './params.js';
import { type GraphIO, UNet } from './unet.js';

/** Options of one forward pass. */
export interface ApplyOptions {
  training: boolean;
  /** Seeds the dropout masks (training only); each residual block derives its own stream. */
  dropoutSeed?: number;
}

/** An ε-prediction network: TF.js forward pass plus ONNX emission from the same modules. */
export interface EpsNet {
  readonly config: ModelConfig;
  /** Trainable variables in a stable order (registered as '<scope>/<weight name>'). */
  readonly params: tf.Variable[];
  /** Weight names in params order, e.g. 'down.0.res.1.conv1.kernel'. */
  readonly paramNames: readonly string[];
  /**
   * x: NHWC float32 [N,H,W,C] (or [N,D] for the MLP); t: int32 [N]; labels: int32 [N] with
   * numClasses = "no label", or null (treated as "no label" by a class-conditional model).
   */
  apply(x: tf.Tensor, t: tf.Tensor1D, labels: tf.Tensor1D | null, opts: ApplyOptions): tf.Tensor;
  /** Total number of scalar parameters (sum of the variables' sizes). */
  parameterCount(): number;
  /** Forward FLOPs per image / item (2 × multiply-adds of convs, dense layers and attention). */
  forwardFlops(): number;
  /** Copies of the current weights, in params order. */
  getWeights(): Float32Array[];
  /** Overwrites the weights (params order, sizes checked). */
  setWeights(weights: readonly Float32Array[]): void;
  /** Emits the network into an ONNX graph, its result named io.outSample. */
  emitOnnx(e: OnnxEmitter, io: GraphIO): string;
  /** Frees the variables. */
  dispose(): void;
}

class Model implements EpsNet {
  readonly params: tf.Variable[];
  readonly paramNames: readonly string[];
  private readonly net: UNet | Mlp;

  constructor(
    readonly config: ModelConfig,
    seed: number,
  ) {
    const store = new ParamStore(seed);
    const scope = new ParamScope(store, '');
    this.net = config.kind === 'unet' ? new UNet(scope, config) : new Mlp(scope, config);
    this.params = store.params;
    this.paramNames = store.names;
  }

  apply(x: tf.Tensor, t: tf.Tensor1D, labels: tf.Tensor1D | null, opts: ApplyOptions): tf.Tensor {
    const n = x.shape[0] as number;
    const expected =
      this.config.kind === 'unet'
        ? [n, this.config.imageSize, this.config.imageSize, this.config.channels]
        : [n, this.config.dataDim];
    if (x.shape.length !== expected.length || x.shape.some((d, i) => d !== expected[i])) {
      throw new Error(`model input x has shape [${x.shape}], expected [${expected}] (N = batch)`);
    }
    if (t.shape.length !== 1 || t.shape[0] !== n) {
      throw new Error(`model input t has shape [${t.shape}], expected [${n}]`);
    }
    if (labels && (labels.shape.length !== 1 || labels.shape[0] !== n)) {
      throw new Error(`model input labels has shape [${labels.shape}], expected [${n}]`);
    }
    if (labels && this.config.numClasses === 0) {
      throw new Error('labels were given to an unconditional model (numClasses = 0)');
    }
    return tf.tidy(() => {
      const lab =
        this.config.numClasses > 0 ? (labels ?? tf.fill([n], this.config.numClasses, 'int32') as tf.Tensor1D) : null;
      if (this.net instanceof UNet) {
        const dropout = { training: opts.training, rate: this.net.config.dropout, seed: opts.dropoutSeed };
        return this.net.apply(x as tf.Tensor4D, t, lab, dropout);
      }
      return this.net.apply(x as tf.Tensor2D, t, lab);
    });
  }

  parameterCount(): number {
    return this.params.reduce((sum, v) => sum + v.size, 0);
  }

  forwardFlops(): number {
    return this.net.forwardFlops();
  }

  getWeights(): Float32Array[] {
    return this.params.map((v) => values(v));
  }

  setWeights(weights: readonly Float32Array[]): void {
    if (weights.length !== this.params.length) {
      throw new Error(`setWeights: ${weights.length} arrays for ${this.params.length} parameters`);
    }
    weights.forEach((w, i) => {
      const v = this.params[i] as tf.Variable;
      if (w.length !== v.size) {
        throw new Error(`setWeights: '${this.paramNames[i]}' needs ${v.size} values, got ${w.length}`);
      }
    });
    for (const [i, w] of weights.entries()) assignHostValues(this.params[i] as tf.Variable, w.slice());
  }

  emitOnnx(e: OnnxEmitter, io: GraphIO): string {
    return this.net.emit(e, io);
  }

  dispose(): void {
    for (const v of this.params) v.dispose();
  }
}

/** Builds a model from a (validated) configuration with weights initialised from `seed`. */
export function createModel(config: ModelConfig, seed: number): EpsNet {
  return new Model(validateModelConfig(config), seed);
}
