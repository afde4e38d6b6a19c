// One training step in a real Chromium: the built page's training worker (window.onnxDdpmTrain,
// packages/web/README.md) runs the trainer core's step on TF.js wasm or WebGPU. Float32 arrays cross
// playwright as base64 of their bytes (exact, and far smaller than number lists for a U-Net).
import type { OneStepResult, ReplicaInit, TrainBatch } from '@onnx-ddpm/trainer';
import type { ChromiumHost } from './chromium-page.js';
import { RuntimeUnavailable } from './runtime.js';

/** The Chromium backends of `parity --train`. */
export type ChromiumTrainBackend = 'chromium-wasm' | 'chromium-webgpu';

type Encoded = { loss: number; ms: number; device: string; paramNames: string[]; grads: string[]; before: string[]; after: string[] };

/** The page hook as these calls use it. */
declare const window: {
  onnxDdpmTrain?: {
    trainStep(backend: string, init: ReplicaInit, batch: unknown): Promise<OneStepResult & { device: string }>;
  };
};

const decode = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

/** One step from `init` on `batch` in the page; `device` names the page's TF.js backend and Chromium. */
export async function chromiumTrainStep(host: ChromiumHost, backend: ChromiumTrainBackend, init: ReplicaInit, batch: TrainBatch): Promise<OneStepResult & { device: string }> {
  const { page, webgpu, chromiumVersion } = await host.open();
  if (backend === 'chromium-webgpu' && !webgpu.ok) throw new RuntimeUnavailable(`Chromium ${chromiumVersion} has no WebGPU adapter: ${webgpu.reason}`);
  if (!(await page.evaluate(() => 'onnxDdpmTrain' in globalThis))) {
    throw new RuntimeUnavailable('the built page has no Train mode (window.onnxDdpmTrain): rebuild it with pnpm --filter @onnx-ddpm/web build');
  }
  const plainBatch = { ...batch, x0: Array.from(batch.x0), eps: Array.from(batch.eps), t: Array.from(batch.t), labels: batch.labels ? Array.from(batch.labels) : null };
  const r: Encoded = await page.evaluate(
    async ([tfBackend, i, b]) => {
      const out = await window.onnxDdpmTrain!.trainStep(tfBackend, i, b);
      const encode = (a: Float32Array) => {
        const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        let text = '';
        for (let k = 0; k < bytes.length; k += 0x8000) text += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
        return btoa(text);
      };
      return {
        loss: out.loss,
        ms: out.ms,
        device: out.device,
        paramNames: out.paramNames,
        grads: out.grads.map(encode),
        before: out.before.map(encode),
        after: out.after.map(encode),
      };
    },
    [backend === 'chromium-webgpu' ? 'webgpu' : 'wasm', init, plainBatch] as const,
  );
  return {
    loss: r.loss,
    ms: r.ms,
    device: `Chromium ${chromiumVersion}, ${r.device}`,
    paramNames: r.paramNames,
    grads: r.grads.map(decode),
    before: r.before.map(decode),
    after: r.after.map(decode),
  };
}
