import type { WebExecutionProvider } from '@onnx-ddpm/sampler/web';
import { schedulerConfigToJSON } from '@onnx-ddpm/schedule';
import type { ChromiumHost } from './chromium-page.js';
import { type ParityJob, type ParityRuntime, type RuntimeOutput, RuntimeUnavailable } from './runtime.js';
import { compareScheduleTables, type ScheduleTablesReport } from './schedule-tables.js';

/** The page hook's signatures as far as these calls use them (packages/web/README.md). */
interface PageHook {
  modelCall(bytes: string, ep: string, sample: number[], shape: number[], timestep: number[], labels: number[] | null): Promise<{ output: Float32Array; ep: string }>;
  sample(
    bytes: string,
    ep: string,
    opts: { method: string; steps: number; eta: number; seed: number; batch: number; classLabels: number[] | null; schedulerConfigJson: string },
  ): Promise<{ samples: Float32Array; ep: string; msPerStep: number; modelMsPerStep?: number }>;
  scheduleTables(json: string): Record<string, number[]>;
}
declare const window: { onnxDdpm: PageHook };

/** Runs the job through the page's hook on one onnxruntime-web provider; arrays cross as plain numbers (exact for float32). */
async function runInPage(host: ChromiumHost, ep: WebExecutionProvider, job: ParityJob): Promise<RuntimeOutput> {
  const { page, webgpu, chromiumVersion } = await host.open();
  if (ep === 'webgpu' && !webgpu.ok) throw new RuntimeUnavailable(`Chromium ${chromiumVersion} has no WebGPU adapter: ${webgpu.reason}`);
  const { call: c, trajectory: t } = job;
  const args = {
    bytes: Buffer.from(job.modelBytes).toString('base64'),
    ep,
    sample: Array.from(c.sample),
    shape: c.shape,
    timestep: Array.from(c.timestep),
    callLabels: c.classLabels ? Array.from(c.classLabels) : null,
    opts: {
      method: t.method,
      steps: t.steps,
      eta: t.eta,
      seed: t.seed,
      batch: t.batch,
      classLabels: t.classLabels ? Array.from(t.classLabels) : null,
      schedulerConfigJson: schedulerConfigToJSON(job.config),
    },
  };
  const r = await page.evaluate(async (a) => {
    const call = await window.onnxDdpm.modelCall(a.bytes, a.ep, a.sample, a.shape, a.timestep, a.callLabels);
    const traj = await window.onnxDdpm.sample(a.bytes, a.ep, a.opts);
    return {
      call: Array.from(call.output),
      callEp: call.ep,
      final: Array.from(traj.samples),
      ep: traj.ep,
      msPerStep: traj.msPerStep,
      modelMsPerStep: traj.modelMsPerStep,
    };
  }, args);
  if (r.callEp !== ep || r.ep !== ep) throw new Error(`the page ran on ${r.callEp}/${r.ep}, not ${ep}`);
  const where = ep === 'webgpu' && webgpu.ok ? `WebGPU EP on ${webgpu.adapter}` : 'wasm EP';
  return {
    call: Float32Array.from(r.call),
    final: Float32Array.from(r.final),
    msPerStep: r.msPerStep,
    // Pages built before the hook reported it leave the split unknown.
    ...(r.modelMsPerStep === undefined ? {} : { modelMsPerStep: r.modelMsPerStep }),
    detail: `Chromium ${chromiumVersion}, onnxruntime-web ${where}`,
  };
}

export function chromiumRuntimes(host: ChromiumHost): ParityRuntime[] {
  return [
    { id: 'chromium-wasm', label: 'Chromium wasm', run: (job) => runInPage(host, 'wasm', job) },
    { id: 'chromium-webgpu', label: 'Chromium WebGPU', run: (job) => runInPage(host, 'webgpu', job) },
  ];
}

/** The page's schedule tables against Node's, bit for bit; skipped with the reason when there is no page. */
export async function chromiumScheduleTables(host: ChromiumHost, job: ParityJob): Promise<ScheduleTablesReport> {
  let open: Awaited<ReturnType<ChromiumHost['open']>>;
  try {
    open = await host.open();
  } catch (err) {
    return { status: err instanceof RuntimeUnavailable ? 'skipped' : 'failed', reason: (err as Error).message };
  }
  const tables = await open.page.evaluate((json) => window.onnxDdpm.scheduleTables(json), schedulerConfigToJSON(job.config));
  return compareScheduleTables(job.config, tables, `Chromium ${open.chromiumVersion}`);
}
