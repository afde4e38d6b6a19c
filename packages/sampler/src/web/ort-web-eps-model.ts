import type * as OrtWeb from 'onnxruntime-web';
import { checkPredictArgs, type EpsModelBinding } from '../core/eps-model-contract.js';
import { OrtDenoiserBase, type OrtDenoiserOptions, openDenoiserSession } from '../ort/denoiser.js';
import { loadOrtWeb, type OrtWebModule, WEB_EXECUTION_PROVIDERS, WEB_PROVIDERS, type WebExecutionProvider } from './ort-web-runtime.js';

export interface OrtWebEpsModelOptions extends Omit<OrtDenoiserOptions<WebExecutionProvider>, 'sessionOptions'> {
  /** A loaded onnxruntime-web module; default {@link loadOrtWeb}. */
  ort?: OrtWebModule;
}

/**
 * An EpsModel on onnxruntime-web (WebGPU, else wasm): the shared ORT adapter plus the web's hook.
 * On WebGPU the session keeps its output on the GPU (`preferredOutputLocation: 'gpu-buffer'`):
 * {@link forward} hands that tensor on without a copy (for the device-resident loop in
 * sample-web.ts), {@link predict} reads it back.
 */
export class OrtWebEpsModel extends OrtDenoiserBase<WebExecutionProvider> {
  private constructor(
    override readonly ort: OrtWebModule,
    session: OrtWeb.InferenceSession,
    executionProvider: WebExecutionProvider,
    binding: EpsModelBinding,
  ) {
    super(ort, session, executionProvider, binding, 'onnxruntime-web');
  }

  /** Creates a session on the first working provider (default `webgpu,wasm`) and checks the model's inputs against the contract. */
  static async create(model: Uint8Array, opts: OrtWebEpsModelOptions = {}): Promise<OrtWebEpsModel> {
    const ort = opts.ort ?? (await loadOrtWeb());
    const { session, executionProvider, binding } = await openDenoiserSession(ort, model, WEB_PROVIDERS, WEB_EXECUTION_PROVIDERS, {
      ...opts,
      sessionOptions: (ep) => (ep === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' } : {}),
    });
    return new OrtWebEpsModel(ort, session as OrtWeb.InferenceSession, executionProvider, binding);
  }

  /**
   * One forward pass on a `sample` tensor that may live on the GPU; returns the output tensor where
   * the session put it (a GPU buffer on WebGPU: the caller disposes it).
   */
  async forward(sample: OrtWeb.Tensor, timestep: Int32Array, classLabels: Int32Array | null): Promise<OrtWeb.Tensor> {
    const shape = sample.dims;
    checkPredictArgs(this.binding, sample.size, shape, timestep, classLabels);
    return (await this.run(this.feeds(sample, shape[0]!, timestep, classLabels), shape)) as OrtWeb.Tensor;
  }

  async predict(sample: Float32Array, shape: readonly number[], timestep: Int32Array, classLabels: Int32Array | null): Promise<Float32Array> {
    checkPredictArgs(this.binding, sample.length, shape, timestep, classLabels);
    const out = await this.forward(new this.ort.Tensor('float32', sample, [...shape]), timestep, classLabels);
    if (out.location === 'cpu') return out.data as Float32Array;
    return (await out.getData(true)) as Float32Array;
  }
}
