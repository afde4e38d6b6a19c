import type * as OrtWeb from 'onnxruntime-web';
import { checkPredictArgs, type DenoiserBinding } from '../core/denoiser-contract.js';
import { OrtDenoiserBase, type DenoiserSessionOptions, openDenoiserSession } from '../ort/denoiser.js';
import { loadOrtWeb, type OrtWebModule, WEB_EXECUTION_PROVIDERS, WEB_PROVIDERS, type WebExecutionProvider } from './ort-web-runtime.js';

export interface OrtWebDenoiserOptions extends Omit<DenoiserSessionOptions<WebExecutionProvider>, 'sessionOptions'> {
  /** A loaded onnxruntime-web module; default {@link loadOrtWeb}. */
  ort?: OrtWebModule;
}

/**
 * An DenoiserModel on onnxruntime-web (WebGPU, else wasm): the shared ORT adapter plus the web's hook.
 * On WebGPU the session keeps its output on the GPU (`preferredOutputLocation: 'gpu-buffer'`):
 * `forward` hands that tensor on without a copy (for the device-resident loop of
 * ../ort/sample-on-device.ts), {@link predict} reads it back.
 */
export class OrtWebDenoiser extends OrtDenoiserBase<WebExecutionProvider> {
  private constructor(
    override readonly ort: OrtWebModule,
    session: OrtWeb.InferenceSession,
    executionProvider: WebExecutionProvider,
    binding: DenoiserBinding,
  ) {
    super(ort, session, executionProvider, binding, 'onnxruntime-web', executionProvider === 'webgpu');
  }

  /** Creates a session on the first working provider (default `webgpu,wasm`) and checks the model's inputs against the contract. */
  static async create(model: Uint8Array, opts: OrtWebDenoiserOptions = {}): Promise<OrtWebDenoiser> {
    const ort = opts.ort ?? (await loadOrtWeb());
    const { session, executionProvider, binding } = await openDenoiserSession(ort, model, WEB_PROVIDERS, WEB_EXECUTION_PROVIDERS, {
      ...opts,
      sessionOptions: (ep) => (ep === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' } : {}),
    });
    return new OrtWebDenoiser(ort, session as OrtWeb.InferenceSession, executionProvider, binding);
  }

  async predict(sample: Float32Array, shape: readonly number[], timestep: Int32Array, classLabels: Int32Array | null): Promise<Float32Array> {
    checkPredictArgs(this.binding, sample.length, shape, timestep, classLabels);
    const out = (await this.forward(new this.ort.Tensor('float32', sample, [...shape]), timestep, classLabels)) as OrtWeb.Tensor;
    if (out.location === 'cpu') return out.data as Float32Array;
    return (await out.getData(true)) as Float32Array;
  }
}
