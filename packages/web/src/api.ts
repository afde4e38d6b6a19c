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
  /** img2img / inpainting: one item to start from (every item of the batch), its strength, a mask (1 = keep) and resampling. */
  start?: { x0: Numbers; strength: number; mask?: Numbers; resample?: number };
}

/** An interpolation: seeds or one frame's images at each end (`onnx-ddpm interpolate`). */
export interface InterpolateHookOptions {
  from: { seed: number } | { images: Numbers };
  to: { seed: number } | { images: Numbers };
  frames: number;
  steps: number;
  /** Items per frame (1 image, or the points of a 2-D model). */
  items: number;
  /** One label per item of a frame, or null. */
  classLabels?: Numbers | null;
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
  interpolate(modelBytes: Bytes, ep: WebExecutionProvider, opts: InterpolateHookOptions): Promise<{ samples: Float32Array; shape: number[]; ep: string }>;
  scheduleTables(schedulerConfigJson: string): Record<string, number[]>;
}

const end = (e: InterpolateHookOptions['from']) => ('seed' in e ? { seed: e.seed } : { images: Float32Array.from(e.images) });

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
          start: opts.start && {
            x0: Float32Array.from(opts.start.x0),
            strength: opts.start.strength,
            mask: opts.start.mask && Float32Array.from(opts.start.mask),
            resample: opts.start.resample,
          },
        },
      });
    },
    async interpolate(modelBytes, ep, opts) {
      const settings = {
        from: end(opts.from),
        to: end(opts.to),
        frames: opts.frames,
        steps: opts.steps,
        items: opts.items,
        classLabels: opts.classLabels ? Int32Array.from(opts.classLabels) : null,
      };
      const r = await client.interpolate(settings, () => undefined, { bytes: toBytes(modelBytes), ep: checkEp(ep), schedulerConfigJson: opts.schedulerConfigJson });
      return { samples: r.samples, shape: r.shape, ep: r.executionProvider };
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
