// window.onnxDdpm: the page's programmatic hook (for `onnx-ddpm parity` and the browser tests).
// Documented in packages/web/README.md. Calls run in the page's sampling worker.
import { computeTables, parseSchedulerConfig, TABLE_NAMES } from '@onnx-ddpm/schedule';
import type { SamplingMethod, WebExecutionProvider } from './sampler.js';
import type { SamplerClient } from './worker/client.js';

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
  if (ep !== 'webgpu' && ep !== 'wasm') throw new Error(`ep must be 'webgpu' or 'wasm', got '${ep}'`);
  return ep;
}

export function installHook(client: SamplerClient, ready: Promise<unknown>): OnnxDdpmHook {
  const hook: OnnxDdpmHook = {
    ready: ready.then(() => undefined),
    async modelCall(modelBytes, ep, sample, shape, timestep, classLabels) {
      return client.modelCall({
        bytes: toBytes(modelBytes),
        ep: checkEp(ep),
        sample: Float32Array.from(sample),
        shape,
        timestep: Int32Array.from(timestep),
        classLabels: classLabels ? Int32Array.from(classLabels) : null,
      });
    },
    async sample(modelBytes, ep, opts) {
      return client.sample({
        bytes: toBytes(modelBytes),
        ep: checkEp(ep),
        schedulerConfigJson: opts.schedulerConfigJson,
        settings: {
          method: opts.method,
          steps: opts.steps,
          eta: opts.eta ?? 0,
          seed: opts.seed,
          batch: opts.batch,
          classLabels: opts.classLabels ? Int32Array.from(opts.classLabels) : null,
          guidance: opts.guidance,
        },
      });
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
