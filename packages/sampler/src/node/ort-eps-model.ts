import * as ort from 'onnxruntime-node';
import { checkPredictArgs, type EpsModelBinding } from '../core/eps-model-contract.js';
import { OrtDenoiserBase, type OrtDenoiserOptions, openDenoiserSession } from '../ort/denoiser.js';
import { DEFAULT_EXECUTION_PROVIDERS, type ExecutionProviderName, NODE_PROVIDERS } from './ort-execution-providers.js';

export interface OrtEpsModelOptions extends Omit<OrtDenoiserOptions<ExecutionProviderName>, 'sessionOptions'> {
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

/**
 * An EpsModel on onnxruntime-node (the shared ORT adapter plus Node's hooks): wraps the caller's
 * arrays in tensors it keeps, and after a first run writes every output of a batch size into one
 * preallocated tensor.
 *
 * Outputs come back to host memory every step, because the step math runs in JS. Measured with
 * onnxruntime-node 1.30: `preferredOutputLocation: 'gpu-buffer'` works on its WebGPU EP (such an
 * output can be fed back as an input) but `getData()` on it aborts the process, and the CUDA EP
 * has no device output location in the Node binding; so a device-resident loop would need the
 * step itself in the graph.
 */
export class OrtEpsModel extends OrtDenoiserBase<ExecutionProviderName> {
  /** Preallocated outputs per batch size, bound after a first run confirmed the output shape. */
  private readonly outputs = new Map<number, ort.Tensor>();
  /** Input tensors wrapping the caller's arrays (the loop alternates between a few buffers). */
  private readonly samples = new Map<Float32Array, ort.Tensor>();

  private constructor(session: ort.InferenceSession, executionProvider: ExecutionProviderName, binding: EpsModelBinding) {
    super(ort, session, executionProvider, binding, 'onnxruntime');
  }

  /** Creates a session on the first working provider (default `cuda,cpu`) and checks the model's inputs against the contract. */
  static async create(model: string | Uint8Array, opts: OrtEpsModelOptions = {}): Promise<OrtEpsModel> {
    const sessionOptions = opts.sessionOptions;
    const { session, executionProvider, binding } = await openDenoiserSession(ort, model, NODE_PROVIDERS, DEFAULT_EXECUTION_PROVIDERS, {
      ...opts,
      sessionOptions: () => ({ ...sessionOptions }),
    });
    return new OrtEpsModel(session, executionProvider, binding);
  }

  async predict(sample: Float32Array, shape: readonly number[], timestep: Int32Array, classLabels: Int32Array | null): Promise<Float32Array> {
    checkPredictArgs(this.binding, sample.length, shape, timestep, classLabels);
    const batch = shape[0]!;
    let input = this.samples.get(sample);
    if (!input || input.dims.join() !== shape.join()) {
      input = new ort.Tensor('float32', sample, [...shape]);
      if (this.samples.size >= 4) this.samples.clear();
      this.samples.set(sample, input);
    }
    const feeds = this.feeds(input, batch, timestep, classLabels);
    const output = this.outputs.get(batch);
    if (output) {
      await this.run(feeds, shape, { [this.binding.outputName]: output });
      return output.data as Float32Array;
    }
    const out = await this.run(feeds, shape);
    // Later calls of this batch size write into one preallocated output.
    this.outputs.set(batch, new ort.Tensor('float32', new Float32Array(out.data.length), [...shape]));
    return out.data as Float32Array;
  }
}
