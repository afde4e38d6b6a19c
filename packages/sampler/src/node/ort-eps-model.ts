import * as ort from 'onnxruntime-node';
import type { EpsModel, EpsModelInfo } from '../core/eps-model.js';
import { SamplerError } from '../core/errors.js';
import { bindEpsModel, checkPredictArgs, EPS_INPUT_NAMES, type EpsModelBinding, type EpsModelBindingOptions, type IntLikeType } from '../core/eps-model-contract.js';
import {
  createSessionWithFallback,
  DEFAULT_EXECUTION_PROVIDERS,
  type ExecutionProviderName,
  shortOrtMessage,
} from './ort-execution-providers.js';

/** The contract's names, under the names this module has always exported. */
export { EPS_INPUT_NAMES as INPUT_NAMES, EPS_OUTPUT_NAME as OUTPUT_NAME } from '../core/eps-model-contract.js';

export interface OrtEpsModelOptions extends EpsModelBindingOptions {
  /** Ordered preference; default `cuda,cpu`. */
  executionProviders?: readonly ExecutionProviderName[];
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
    private readonly binding: EpsModelBinding,
  ) {
    this.info = binding.info;
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
    const binding = bindEpsModel(session.inputMetadata, session.outputMetadata, opts, opts.name ?? defaultName);
    return new OrtEpsModel(session, executionProvider, binding);
  }

  private buffersFor(batch: number): BatchBuffers {
    let b = this.buffers.get(batch);
    if (!b) {
      const { timestepLayout, timestepType, labelType } = this.binding;
      const tCount = timestepLayout === 'per-item' ? batch : 1;
      const tDims = timestepLayout === 'scalar' ? [] : [tCount];
      b = {
        timestep: new ort.Tensor(timestepType, typedArrayFor(timestepType, tCount), tDims),
        labels: labelType ? new ort.Tensor(labelType, typedArrayFor(labelType, batch), [batch]) : null,
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
    checkPredictArgs(this.binding, sample.length, shape, timestep, classLabels);
    const batch = shape[0]!;
    const outputName = this.binding.outputName;
    const b = this.buffersFor(batch);
    fillInto(b.timestep, timestep, b.timestep.data.length);
    const feeds: Record<string, ort.Tensor> = { [EPS_INPUT_NAMES.timestep]: b.timestep };
    if (b.labels && classLabels) {
      fillInto(b.labels, classLabels, batch);
      feeds[EPS_INPUT_NAMES.classLabels] = b.labels;
    }
    let input = b.samples.get(sample);
    if (!input) {
      input = new ort.Tensor('float32', sample, [...shape]);
      if (b.samples.size >= 4) b.samples.clear();
      b.samples.set(sample, input);
    }
    feeds[EPS_INPUT_NAMES.sample] = input;
    try {
      if (b.output) {
        await this.session.run(feeds, { [outputName]: b.output });
        return b.output.data as Float32Array;
      }
      const result = await this.session.run(feeds);
      const out = result[outputName]!;
      if (out.dims.join() !== shape.join()) {
        throw new SamplerError(
          `${this.info.name}: output '${outputName}' has shape [${out.dims.join(', ')}] for input [${shape.join(', ')}]; the sampler needs a prediction of the input's shape`,
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
