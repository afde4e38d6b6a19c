// window.onnxDdpm: the page's programmatic hook (for `onnx-ddpm parity` and the browser tests).
// Documented in packages/web/README.md.
import { computeTables, createScheduler, parseSchedulerConfig, type SamplingMethod, TABLE_NAMES } from '@onnx-ddpm/schedule';
import { type OrtWebEpsModel, readModelBytes, SamplerError, type WebExecutionProvider } from '@onnx-ddpm/sampler/web';
import { generate, openModel } from './engine.js';
import { loadOrt } from './ort.js';

/** An array argument: a typed array from page code, a plain number array through playwright's evaluate. */
type Numbers = ArrayLike<number>;
/** Model bytes: a Uint8Array, a plain number array or a base64 string. */
type Bytes = Uint8Array | Numbers | string;

export interface SampleHookOptions {
  method: SamplingMethod;
  steps: number;
  eta?: number;
  seed: number;
  batch: number;
  classLabels?: Numbers | null;
  guidance?: number;
  schedulerConfigJson?: string;
}

export interface OnnxDdpmHook {
  ready: Promise<void>;
  modelCall(
    modelBytes: Bytes,
    ep: WebExecutionProvider,
    sample: Numbers,
    shape: number[],
    timestep: Numbers,
    classLabels: Numbers | null,
  ): Promise<{ output: Float32Array; ep: string }>;
  sample(modelBytes: Bytes, ep: WebExecutionProvider, opts: SampleHookOptions): Promise<{ samples: Float32Array; shape: number[]; ep: string; msPerStep: number; modelMsPerStep: number }>;
  scheduleTables(schedulerConfigJson: string): Record<string, number[]>;
}

function toBytes(b: Bytes): Uint8Array {
  if (b instanceof Uint8Array) return b;
  if (typeof b === 'string') return Uint8Array.from(atob(b), (c) => c.charCodeAt(0));
  return Uint8Array.from(b);
}

function checkEp(ep: string): WebExecutionProvider {
  if (ep !== 'webgpu' && ep !== 'wasm') throw new SamplerError(`ep must be 'webgpu' or 'wasm', got '${ep}'`);
  return ep;
}

/** One open session, reused while the same bytes come back on the same provider. */
let cached: { bytes: Uint8Array; ep: WebExecutionProvider; config: string | undefined; model: OrtWebEpsModel } | null = null;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function modelFor(bytes: Uint8Array, ep: WebExecutionProvider, schedulerConfigJson?: string) {
  const source = readModelBytes(bytes, 'model', { schedulerConfig: schedulerConfigJson });
  if (cached && cached.ep === ep && cached.config === schedulerConfigJson && sameBytes(cached.bytes, bytes)) return { source, model: cached.model };
  await cached?.model.dispose();
  cached = null;
  // Exactly the provider asked for: a parity check must not silently run elsewhere.
  const model = await openModel(source, [ep]);
  cached = { bytes, ep, config: schedulerConfigJson, model };
  return { source, model };
}

export function installHook(): OnnxDdpmHook {
  const hook: OnnxDdpmHook = {
    ready: loadOrt().then(() => undefined),
    async modelCall(modelBytes, ep, sample, shape, timestep, classLabels) {
      const { model } = await modelFor(toBytes(modelBytes), checkEp(ep));
      const output = await model.predict(
        Float32Array.from(sample),
        shape,
        Int32Array.from(timestep),
        classLabels ? Int32Array.from(classLabels) : null,
      );
      return { output: Float32Array.from(output), ep: model.executionProvider };
    },
    async sample(modelBytes, ep, opts) {
      const { source, model } = await modelFor(toBytes(modelBytes), checkEp(ep), opts.schedulerConfigJson);
      if (!source.config) throw new SamplerError('the model carries no scheduler config: pass schedulerConfigJson');
      const eta = opts.method === 'ddim' ? (opts.eta ?? 0) : undefined;
      const result = await generate(model, {
        scheduler: createScheduler(source.config, { method: opts.method, steps: opts.steps, eta }),
        seed: opts.seed,
        batch: opts.batch,
        classLabels: opts.classLabels ? Int32Array.from(opts.classLabels) : null,
        guidance: opts.guidance,
      });
      return {
        samples: result.samples,
        shape: result.shape,
        ep: model.executionProvider,
        msPerStep: result.timings.totalMs / result.timings.steps,
        modelMsPerStep: result.timings.modelMs / result.timings.steps,
      };
    },
    scheduleTables(schedulerConfigJson) {
      const tables = computeTables(parseSchedulerConfig(schedulerConfigJson));
      const out: Record<string, number[]> = {};
      for (const name of TABLE_NAMES) out[name] = Array.from(tables[name] as ArrayLike<number>);
      return out;
    },
  };
  (window as unknown as { onnxDdpm: OnnxDdpmHook }).onnxDdpm = hook;
  return hook;
}
