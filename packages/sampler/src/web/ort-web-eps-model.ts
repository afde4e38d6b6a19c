import type * as OrtWeb from 'onnxruntime-web';
import type { EpsModel, EpsModelInfo } from '../core/eps-model.js';
import { SamplerError } from '../core/errors.js';
import {
  bindEpsModel,
  checkPredictArgs,
  contractFeedData,
  EPS_INPUT_NAMES,
  type EpsModelBinding,
  type EpsModelBindingOptions,
} from '../core/eps-model-contract.js';
import {
  createWebSession,
  loadOrtWeb,
  type OrtWebModule,
  shortWebOrtMessage,
  WEB_EXECUTION_PROVIDERS,
  type WebExecutionProvider,
} from './ort-web-runtime.js';

export interface OrtWebEpsModelOptions extends EpsModelBindingOptions {
  /** Ordered preference; default `webgpu,wasm`. */
  executionProviders?: readonly WebExecutionProvider[];
  name?: string;
  /** Called once per provider skipped, with the reason and the provider used instead. */
  onWarning?: (message: string) => void;
  /** A loaded onnxruntime-web module; default {@link loadOrtWeb}. */
  ort?: OrtWebModule;
}

/**
 * An EpsModel on onnxruntime-web (WebGPU, else wasm). Feeds `sample`/`timestep`/`class_labels` in
 * whatever dtype and rank the model declares (see {@link bindEpsModel}). On WebGPU the session keeps
 * its output on the GPU (`preferredOutputLocation: 'gpu-buffer'`): {@link forward} hands that
 * tensor on without a copy (for the device-resident loop in sample-web.ts), {@link predict} reads it back.
 */
export class OrtWebEpsModel implements EpsModel {
  readonly info: EpsModelInfo;

  private constructor(
    readonly ort: OrtWebModule,
    readonly session: OrtWeb.InferenceSession,
    readonly executionProvider: WebExecutionProvider,
    /** Providers of the preference that were skipped, each with its reason. */
    readonly skipped: readonly string[],
    readonly binding: EpsModelBinding,
  ) {
    this.info = binding.info;
  }

  /** Creates a session on the first working provider and checks the model's inputs against the contract. */
  static async create(model: Uint8Array, opts: OrtWebEpsModelOptions = {}): Promise<OrtWebEpsModel> {
    const ort = opts.ort ?? (await loadOrtWeb());
    const preference = opts.executionProviders ?? WEB_EXECUTION_PROVIDERS;
    const { session, executionProvider, skipped } = await createWebSession(ort, model, preference, (ep) =>
      ep === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' } : {},
    );
    for (const line of skipped) opts.onWarning?.(`execution provider ${line}; using ${executionProvider}`);
    try {
      const binding = bindEpsModel(session.inputMetadata, session.outputMetadata, opts, opts.name ?? 'onnx model');
      return new OrtWebEpsModel(ort, session, executionProvider, skipped, binding);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /**
   * One forward pass on a `sample` tensor that may live on the GPU; returns the output tensor where
   * the session put it (a GPU buffer on WebGPU: the caller disposes it).
   */
  async forward(sample: OrtWeb.Tensor, timestep: Int32Array, classLabels: Int32Array | null): Promise<OrtWeb.Tensor> {
    const shape = sample.dims;
    checkPredictArgs(this.binding, sample.size, shape, timestep, classLabels);
    const { ort } = this;
    const data = contractFeedData(this.binding, timestep, classLabels);
    const feeds: Record<string, OrtWeb.Tensor> = {
      [EPS_INPUT_NAMES.sample]: sample,
      [EPS_INPUT_NAMES.timestep]: new ort.Tensor(data.timestep.type, data.timestep.data, data.timestep.dims),
    };
    if (data.labels) feeds[EPS_INPUT_NAMES.classLabels] = new ort.Tensor(data.labels.type, data.labels.data, data.labels.dims);
    let out: OrtWeb.Tensor;
    try {
      out = (await this.session.run(feeds))[this.binding.outputName] as OrtWeb.Tensor;
    } catch (err) {
      throw new SamplerError(`${this.info.name}: onnxruntime-web failed on input [${shape.join(', ')}]: ${shortWebOrtMessage(err)}`);
    }
    if (out.dims.join() !== shape.join()) {
      out.dispose();
      throw new SamplerError(
        `${this.info.name}: output '${this.binding.outputName}' has shape [${out.dims.join(', ')}] for input [${shape.join(', ')}]; the sampler needs a prediction of the input's shape`,
      );
    }
    return out;
  }

  async predict(
    sample: Float32Array,
    shape: readonly number[],
    timestep: Int32Array,
    classLabels: Int32Array | null,
  ): Promise<Float32Array> {
    checkPredictArgs(this.binding, sample.length, shape, timestep, classLabels);
    const out = await this.forward(new this.ort.Tensor('float32', sample, [...shape]), timestep, classLabels);
    if (out.location === 'cpu') return out.data as Float32Array;
    return (await out.getData(true)) as Float32Array;
  }

  /** Frees the session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}
