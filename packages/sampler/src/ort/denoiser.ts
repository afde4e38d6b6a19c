// A denoiser on an ORT session, written once over onnxruntime-common: the contract binding, feed
// building (timestep and label tensors reused per batch size, in the dtype and rank the model
// declares), the run with its errors shortened, the output check, and `forward` on tensors that may
// live on the GPU (for the device-resident loop of sample-on-device.ts). onnxruntime-node and -web
// subclass it with their own hooks (Node: a preallocated output; web: reading GPU outputs back).
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { DDPM_IO_NAMES } from '@onnx-ddpm/onnx';
import type { DenoiserModel, DenoiserInfo } from '../core/denoiser.js';
import { bindDenoiser, checkPredictArgs, type DenoiserBinding, type DenoiserBindingOptions, type IntLikeType } from '../core/denoiser-contract.js';
import { SamplerError } from '../core/errors.js';
import { type OpenSessionOptions, type OrtModule, openSession, type ProviderTable, shortOrtMessage } from './session.js';

export interface DenoiserSessionOptions<EP extends string> extends DenoiserBindingOptions, OpenSessionOptions<EP> {
  /** Ordered preference of execution providers. */
  executionProviders?: readonly EP[];
  name?: string;
}

/** The feeds of one batch size, reused across calls. */
interface BatchFeeds {
  timestep: Tensor;
  labels: Tensor | null;
}

function typedArrayFor(type: IntLikeType, n: number): BigInt64Array | Int32Array | Float32Array {
  return type === 'int64' ? new BigInt64Array(n) : type === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

function fillInto(target: Tensor, values: Int32Array, count: number): void {
  const data = target.data;
  if (data instanceof BigInt64Array) for (let i = 0; i < count; i++) data[i] = BigInt(values[i]!);
  else if (data instanceof Int32Array || data instanceof Float32Array) for (let i = 0; i < count; i++) data[i] = values[i]!;
}

/** Opens a session on the first working provider and binds it to the contract; releases the session if the model does not fit. */
export async function openDenoiserSession<EP extends string>(
  ort: OrtModule,
  model: string | Uint8Array,
  table: ProviderTable<EP>,
  defaults: readonly EP[],
  opts: DenoiserSessionOptions<EP>,
): Promise<{ session: InferenceSession; executionProvider: EP; binding: DenoiserBinding }> {
  const { session, executionProvider } = await openSession(ort, model, opts.executionProviders ?? defaults, table, opts);
  try {
    const name = opts.name ?? (typeof model === 'string' ? model : 'onnx model');
    return { session, executionProvider, binding: bindDenoiser(session.inputMetadata, session.outputMetadata, opts, name) };
  } catch (err) {
    await session.release();
    throw err;
  }
}

/** An DenoiserModel on an ORT session; subclasses decide where outputs live. */
export abstract class OrtDenoiserBase<EP extends string> implements DenoiserModel {
  readonly info: DenoiserInfo;
  private readonly batchFeeds = new Map<number, BatchFeeds>();

  protected constructor(
    readonly ort: OrtModule,
    readonly session: InferenceSession,
    readonly executionProvider: EP,
    protected readonly binding: DenoiserBinding,
    private readonly runtime: string,
    /** Whether the session keeps its outputs on the GPU (`preferredOutputLocation: 'gpu-buffer'`). */
    readonly outputsOnDevice: boolean,
  ) {
    this.info = binding.info;
  }

  /**
   * One forward pass on a `sample` tensor that may live on the GPU; returns the output tensor where
   * the session put it (a GPU buffer when {@link outputsOnDevice}: the caller disposes it).
   */
  async forward(sample: Tensor, timestep: Int32Array, classLabels: Int32Array | null): Promise<Tensor> {
    const shape = sample.dims;
    checkPredictArgs(this.binding, sample.size, shape, timestep, classLabels);
    return this.run(this.feeds(sample, shape[0]!, timestep, classLabels), shape);
  }

  abstract predict(sample: Float32Array, shape: readonly number[], timestep: Int32Array, classLabels: Int32Array | null): Promise<Float32Array>;

  /** The contract's feeds for a `sample` tensor (host or device) of the given batch. */
  protected feeds(sample: Tensor, batch: number, timestep: Int32Array, classLabels: Int32Array | null): Record<string, Tensor> {
    let b = this.batchFeeds.get(batch);
    if (!b) {
      const { timestepLayout, timestepType, labelType } = this.binding;
      const tCount = timestepLayout === 'per-item' ? batch : 1;
      const tDims = timestepLayout === 'scalar' ? [] : [tCount];
      b = {
        timestep: new this.ort.Tensor(timestepType, typedArrayFor(timestepType, tCount), tDims),
        labels: labelType ? new this.ort.Tensor(labelType, typedArrayFor(labelType, batch), [batch]) : null,
      };
      this.batchFeeds.set(batch, b);
    }
    fillInto(b.timestep, timestep, b.timestep.data.length);
    const feeds: Record<string, Tensor> = { [DDPM_IO_NAMES.sample]: sample, [DDPM_IO_NAMES.timestep]: b.timestep };
    if (b.labels && classLabels) {
      fillInto(b.labels, classLabels, batch);
      feeds[DDPM_IO_NAMES.classLabels] = b.labels;
    }
    return feeds;
  }

  /**
   * Runs the session and returns the contract's output, which must have the input's shape.
   * `fetches` may bind a preallocated output tensor.
   */
  protected async run(feeds: Record<string, Tensor>, shape: readonly number[], fetches?: InferenceSession.FetchesType): Promise<Tensor> {
    const outputName = this.binding.outputName;
    let out: Tensor;
    try {
      out = (fetches ? await this.session.run(feeds, fetches) : await this.session.run(feeds))[outputName]!;
    } catch (err) {
      throw new SamplerError(`${this.info.name}: ${this.runtime} failed on input [${shape.join(', ')}]: ${shortOrtMessage(err)}`);
    }
    if (out.dims.join() !== shape.join()) {
      out.dispose();
      throw new SamplerError(
        `${this.info.name}: output '${outputName}' has shape [${out.dims.join(', ')}] for input [${shape.join(', ')}]; the sampler needs a prediction of the input's shape`,
      );
    }
    return out;
  }

  /** Frees the session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}
