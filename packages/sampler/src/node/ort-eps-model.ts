import * as ort from 'onnxruntime-node';
import type { EpsModel, EpsModelInfo } from '../core/eps-model.js';
import { SamplerError } from '../core/errors.js';
import {
  createSessionWithFallback,
  DEFAULT_EXECUTION_PROVIDERS,
  type ExecutionProviderName,
  shortOrtMessage,
} from './ort-execution-providers.js';

/** Input names of the ONNX model contract (the names diffusers/optimum use for UNet2DModel). */
export const INPUT_NAMES = { sample: 'sample', timestep: 'timestep', classLabels: 'class_labels' } as const;
export const OUTPUT_NAME = 'out_sample';

type IntLikeType = 'int64' | 'int32' | 'float32';
const TIMESTEP_TYPES: readonly string[] = ['int64', 'int32', 'float32'];
const LABEL_TYPES: readonly string[] = ['int64', 'int32'];

/** How the model wants the timestep: one per item ([N]), or one for the whole batch ([1] or scalar). */
type TimestepLayout = 'per-item' | 'single' | 'scalar';

export interface OrtEpsModelOptions {
  /** Ordered preference; default `cuda,cpu`. */
  executionProviders?: readonly ExecutionProviderName[];
  /** Item shape when the model's `sample` input has symbolic C/H/W dims. */
  sampleShape?: readonly number[];
  /** Classes of a conditional model (required when it has a `class_labels` input). */
  numClasses?: number;
  name?: string;
  onWarning?: (message: string) => void;
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

interface BatchBuffers {
  timestep: ort.Tensor;
  labels: ort.Tensor | null;
  /** Preallocated output, bound after a first run confirmed the output shape. */
  output: ort.Tensor | null;
  /** Input tensors wrapping the caller's arrays (the loop alternates between a few buffers). */
  samples: Map<Float32Array, ort.Tensor>;
}

function describeValue(m: ort.InferenceSession.ValueMetadata): string {
  if (!m.isTensor) return `${m.name} (not a tensor)`;
  return `${m.name}: ${m.type} [${m.shape.join(', ')}]`;
}

function typedArrayFor(type: IntLikeType, n: number): BigInt64Array | Int32Array | Float32Array {
  return type === 'int64' ? new BigInt64Array(n) : type === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

function fillInto(target: ort.Tensor, values: Int32Array, count: number): void {
  const data = target.data;
  if (data instanceof BigInt64Array) for (let i = 0; i < count; i++) data[i] = BigInt(values[i]!);
  else if (data instanceof Int32Array || data instanceof Float32Array) for (let i = 0; i < count; i++) data[i] = values[i]!;
}

/**
 * An EpsModel on onnxruntime-node. Feeds `sample`/`timestep`/`class_labels` in whatever dtype
 * (int64, int32, float32) and rank ([N], [1], scalar) the model declares, reuses its ort.Tensor
 * objects and output buffer across steps.
 *
 * Outputs come back to host memory every step, because the step math runs in JS. Measured with
 * onnxruntime-node 1.30: `preferredOutputLocation: 'gpu-buffer'` works on its WebGPU EP (such an
 * output can be fed back as an input) but `getData()` on it aborts the process, and the CUDA EP
 * has no device output location in the Node binding; so a device-resident loop would need the
 * step itself in the graph.
 */
export class OrtEpsModel implements EpsModel {
  readonly info: EpsModelInfo;
  private readonly buffers = new Map<number, BatchBuffers>();

  private constructor(
    readonly session: ort.InferenceSession,
    readonly executionProvider: ExecutionProviderName,
    info: EpsModelInfo,
    private readonly outputName: string,
    private readonly timestepType: IntLikeType,
    private readonly timestepLayout: TimestepLayout,
    private readonly labelType: IntLikeType | null,
    private readonly fixedBatch: number | null,
  ) {
    this.info = info;
  }

  /** Creates a session on the first working provider and checks the model's inputs against the contract. */
  static async create(model: string | Uint8Array, opts: OrtEpsModelOptions = {}): Promise<OrtEpsModel> {
    const { session, executionProvider } = await createSessionWithFallback(
      model,
      opts.executionProviders ?? DEFAULT_EXECUTION_PROVIDERS,
      { onWarning: opts.onWarning, sessionOptions: opts.sessionOptions },
    );
    try {
      return OrtEpsModel.bind(session, executionProvider, opts, typeof model === 'string' ? model : 'onnx model');
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  private static bind(
    session: ort.InferenceSession,
    executionProvider: ExecutionProviderName,
    opts: OrtEpsModelOptions,
    defaultName: string,
  ): OrtEpsModel {
    const name = opts.name ?? defaultName;
    const inputs = session.inputMetadata;
    const has = `the model has inputs ${inputs.map(describeValue).join(', ')}`;
    const expected = `expected '${INPUT_NAMES.sample}' float32 [N, C, H, W] or [N, D], '${INPUT_NAMES.timestep}' int64/int32/float32 [N], [1] or scalar, and optionally '${INPUT_NAMES.classLabels}' int64/int32 [N]`;
    const known: readonly string[] = Object.values(INPUT_NAMES);
    const unknown = inputs.filter((m) => !known.includes(m.name));
    const find = (n: string) => inputs.find((m) => m.name === n);
    const sampleMeta = find(INPUT_NAMES.sample);
    const timestepMeta = find(INPUT_NAMES.timestep);
    if (!sampleMeta || !timestepMeta || unknown.length > 0) {
      throw new SamplerError(`${name}: ${has}; ${expected}`);
    }
    const labelMeta = find(INPUT_NAMES.classLabels);
    if (!sampleMeta.isTensor || sampleMeta.type !== 'float32' || sampleMeta.shape.length < 2) {
      throw new SamplerError(`${name}: input ${describeValue(sampleMeta)} is not supported; ${expected}`);
    }
    if (!timestepMeta.isTensor || !TIMESTEP_TYPES.includes(timestepMeta.type) || timestepMeta.shape.length > 1) {
      throw new SamplerError(`${name}: input ${describeValue(timestepMeta)} is not supported; ${expected}`);
    }
    if (labelMeta && (!labelMeta.isTensor || !LABEL_TYPES.includes(labelMeta.type) || labelMeta.shape.length !== 1)) {
      throw new SamplerError(`${name}: input ${describeValue(labelMeta)} is not supported; ${expected}`);
    }

    const outputs = session.outputMetadata;
    const outputMeta = outputs.length === 1 ? outputs[0]! : outputs.find((m) => m.name === OUTPUT_NAME);
    if (!outputMeta) {
      throw new SamplerError(`${name}: the model has outputs ${outputs.map(describeValue).join(', ')}; expected one output or '${OUTPUT_NAME}'`);
    }
    if (!outputMeta.isTensor || outputMeta.type !== 'float32') {
      throw new SamplerError(`${name}: output ${describeValue(outputMeta)} is not float32`);
    }

    const declared = sampleMeta.shape.slice(1);
    let sampleShape: number[];
    if (declared.every((d): d is number => typeof d === 'number')) {
      sampleShape = declared;
      if (opts.sampleShape && opts.sampleShape.join() !== declared.join()) {
        throw new SamplerError(
          `${name}: its model config says items are [${opts.sampleShape.join(', ')}] but input ${describeValue(sampleMeta)} says otherwise`,
        );
      }
    } else if (opts.sampleShape && opts.sampleShape.length === declared.length) {
      sampleShape = [...opts.sampleShape];
    } else {
      throw new SamplerError(
        `${name}: input ${describeValue(sampleMeta)} has symbolic item dims and no model config gives the item shape`,
      );
    }
    const outItem = outputMeta.shape.slice(1);
    if (outItem.every((d) => typeof d === 'number') && outItem.join() !== sampleShape.join()) {
      throw new SamplerError(
        `${name}: output ${describeValue(outputMeta)} does not match items of [${sampleShape.join(', ')}]; the sampler needs a prediction of the input's shape`,
      );
    }
    const batchDim = sampleMeta.shape[0];
    const fixedBatch = typeof batchDim === 'number' ? batchDim : null;

    let numClasses = 0;
    if (labelMeta) {
      if (opts.numClasses === undefined || opts.numClasses < 1) {
        throw new SamplerError(
          `${name}: the model has a '${INPUT_NAMES.classLabels}' input but its number of classes is unknown (no num_classes in its model config)`,
        );
      }
      numClasses = opts.numClasses;
    }
    const tShape = timestepMeta.shape;
    const timestepLayout: TimestepLayout =
      tShape.length === 0 ? 'scalar' : tShape[0] === 1 && fixedBatch !== 1 ? 'single' : 'per-item';
    return new OrtEpsModel(
      session,
      executionProvider,
      { sampleShape, numClasses, name },
      outputMeta.name,
      timestepMeta.type as IntLikeType,
      timestepLayout,
      labelMeta ? (labelMeta.type as IntLikeType) : null,
      fixedBatch,
    );
  }

  private buffersFor(batch: number): BatchBuffers {
    let b = this.buffers.get(batch);
    if (!b) {
      const tCount = this.timestepLayout === 'per-item' ? batch : 1;
      const tDims = this.timestepLayout === 'scalar' ? [] : [tCount];
      b = {
        timestep: new ort.Tensor(this.timestepType, typedArrayFor(this.timestepType, tCount), tDims),
        labels: this.labelType ? new ort.Tensor(this.labelType, typedArrayFor(this.labelType, batch), [batch]) : null,
        output: null,
        samples: new Map(),
      };
      this.buffers.set(batch, b);
    }
    return b;
  }

  async predict(
    sample: Float32Array,
    shape: readonly number[],
    timestep: Int32Array,
    classLabels: Int32Array | null,
  ): Promise<Float32Array> {
    const batch = shape[0]!;
    const itemSize = this.info.sampleShape.reduce((a, b) => a * b, 1);
    if (shape.slice(1).join() !== this.info.sampleShape.join() || sample.length !== batch * itemSize) {
      throw new SamplerError(
        `${this.info.name}: sample of shape [${shape.join(', ')}] (${sample.length} values) does not fit items of [${this.info.sampleShape.join(', ')}]`,
      );
    }
    if (this.fixedBatch !== null && batch !== this.fixedBatch) {
      throw new SamplerError(`${this.info.name}: the model only accepts a batch of ${this.fixedBatch}, got ${batch}`);
    }
    if (timestep.length !== batch) throw new SamplerError(`${this.info.name}: ${timestep.length} timesteps for a batch of ${batch}`);
    if (this.timestepLayout !== 'per-item' && timestep.some((t) => t !== timestep[0])) {
      throw new SamplerError(`${this.info.name}: its timestep input takes one value for the whole batch, got different ones`);
    }
    const b = this.buffersFor(batch);
    fillInto(b.timestep, timestep, b.timestep.data.length);
    const feeds: Record<string, ort.Tensor> = { [INPUT_NAMES.timestep]: b.timestep };
    if (b.labels) {
      if (!classLabels || classLabels.length !== batch) {
        throw new SamplerError(`${this.info.name}: a class-conditional model needs ${batch} class labels`);
      }
      fillInto(b.labels, classLabels, batch);
      feeds[INPUT_NAMES.classLabels] = b.labels;
    }
    let input = b.samples.get(sample);
    if (!input) {
      input = new ort.Tensor('float32', sample, [...shape]);
      if (b.samples.size >= 4) b.samples.clear();
      b.samples.set(sample, input);
    }
    feeds[INPUT_NAMES.sample] = input;
    try {
      if (b.output) {
        await this.session.run(feeds, { [this.outputName]: b.output });
        return b.output.data as Float32Array;
      }
      const result = await this.session.run(feeds);
      const out = result[this.outputName]!;
      if (out.dims.join() !== shape.join()) {
        throw new SamplerError(
          `${this.info.name}: output '${this.outputName}' has shape [${out.dims.join(', ')}] for input [${shape.join(', ')}]; the sampler needs a prediction of the input's shape`,
        );
      }
      // Later calls of this batch size write into one preallocated output.
      b.output = new ort.Tensor('float32', new Float32Array(out.data.length), [...shape]);
      return out.data as Float32Array;
    } catch (err) {
      if (err instanceof SamplerError) throw err;
      throw new SamplerError(`${this.info.name}: onnxruntime failed on input [${shape.join(', ')}]: ${shortOrtMessage(err)}`);
    }
  }

  /** Frees the native session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}
