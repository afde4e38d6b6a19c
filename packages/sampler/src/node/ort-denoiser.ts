import { encodeModel, GraphBuilder } from '@onnx-ddpm/onnx';
import * as ort from 'onnxruntime-node';
import { checkPredictArgs, type DenoiserBinding } from '../core/denoiser-contract.js';
import { OrtDenoiserBase, type DenoiserSessionOptions, openDenoiserSession } from '../ort/denoiser.js';
import { DEFAULT_EXECUTION_PROVIDERS, type ExecutionProviderName, NODE_PROVIDERS, nodeSessionDefaults } from './ort-execution-providers.js';

export interface OrtDenoiserOptions extends Omit<DenoiserSessionOptions<ExecutionProviderName>, 'sessionOptions'> {
  sessionOptions?: ort.InferenceSession.SessionOptions;
  /**
   * On the WebGPU EP, keep the model's outputs on the GPU (`preferredOutputLocation: 'gpu-buffer'`)
   * for the device-resident loop (`sampleOrt`/`sampleOnDevice`); `predict` then reads its output
   * back through a second, tiny session.
   */
  outputsOnDevice?: boolean;
}

/**
 * An DenoiserModel on onnxruntime-node (the shared ORT adapter plus Node's hooks): wraps the caller's
 * arrays in tensors it keeps, and after a first run writes every output of a batch size into one
 * preallocated tensor.
 *
 * With `outputsOnDevice` on WebGPU, outputs stay on the GPU for the device-resident loop
 * (../ort/sample-on-device.ts, the step itself a graph on the same EP). onnxruntime-node 1.30 can
 * feed such a tensor back as an input but cannot download it (its binding's `download` throws a
 * C++ `"not implemented"` that aborts the process), so `predict` on such a session copies the output
 * to the host by running an Identity graph whose output is in host memory; the CUDA EP has no device
 * output location in the Node binding at all.
 */
export class OrtDenoiser extends OrtDenoiserBase<ExecutionProviderName> {
  /** Preallocated outputs per batch size, bound after a first run confirmed the output shape. */
  private readonly outputs = new Map<number, ort.Tensor>();
  /** Input tensors wrapping the caller's arrays (the loop alternates between a few buffers). */
  private readonly samples = new Map<Float32Array, ort.Tensor>();
  /** With outputsOnDevice: an Identity graph on the same EP with its output in host memory. */
  private readBack: Promise<ort.InferenceSession> | null = null;

  private constructor(session: ort.InferenceSession, executionProvider: ExecutionProviderName, binding: DenoiserBinding, outputsOnDevice: boolean) {
    super(ort, session, executionProvider, binding, 'onnxruntime', outputsOnDevice);
  }

  /** Creates a session on the first working provider (default `cuda,cpu`) and checks the model's inputs against the contract. */
  static async create(model: string | Uint8Array, opts: OrtDenoiserOptions = {}): Promise<OrtDenoiser> {
    const { sessionOptions, outputsOnDevice = false } = opts;
    const onDevice = (ep: ExecutionProviderName) => outputsOnDevice && ep === 'webgpu';
    const { session, executionProvider, binding } = await openDenoiserSession(ort, model, NODE_PROVIDERS, DEFAULT_EXECUTION_PROVIDERS, {
      ...opts,
      sessionOptions: (ep) => ({ ...nodeSessionDefaults(ep), ...sessionOptions, ...(onDevice(ep) ? { preferredOutputLocation: 'gpu-buffer' as const } : {}) }),
    });
    return new OrtDenoiser(session, executionProvider, binding, onDevice(executionProvider));
  }

  async predict(sample: Float32Array, shape: readonly number[], timestep: Int32Array, classLabels: Int32Array | null): Promise<Float32Array> {
    if (this.outputsOnDevice) return this.predictReadBack(sample, shape, timestep, classLabels);
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

  private async predictReadBack(sample: Float32Array, shape: readonly number[], timestep: Int32Array, classLabels: Int32Array | null): Promise<Float32Array> {
    const out = await this.forward(new ort.Tensor('float32', sample, [...shape]), timestep, classLabels);
    try {
      this.readBack ??= ort.InferenceSession.create(identityGraph(shape.length), { executionProviders: [this.executionProvider], logSeverityLevel: 3 });
      return (await (await this.readBack).run({ x: out })).y!.data as Float32Array;
    } finally {
      out.dispose();
    }
  }

  override async dispose(): Promise<void> {
    await (await this.readBack)?.release();
    await super.dispose();
  }
}

/** y = x for float32 tensors of the given rank. */
function identityGraph(rank: number): Uint8Array {
  const g = new GraphBuilder({ name: 'onnx_ddpm_read_back' });
  const dims = Array.from({ length: rank }, (_, i) => `d${i}`);
  g.input('x', 'float32', dims);
  g.node('Identity', ['x'], {}, { outputs: ['y'] });
  g.output('y', 'float32', dims);
  return encodeModel(g.build({ producerName: 'onnx-ddpm' }));
}
