import type { EpsNet } from '@onnx-ddpm/trainer/node';
import { chromiumRuntimes, chromiumScheduleTables } from './chromium.js';
import { ChromiumHost } from './chromium-page.js';
import { ortNodeCpu } from './ort-node-cpu.js';
import { ortNodeCuda } from './ort-node-cuda.js';
import { ortNodeWebgpu } from './ort-node-webgpu.js';
import { ortWebWasmNode } from './ort-web-wasm-node.js';
import { type ParityJob, type ParityRuntime, RUNTIME_IDS, type RuntimeId, RuntimeUnavailable } from './runtime.js';
import type { ScheduleTablesReport } from './schedule-tables.js';
import { tfjsRuntime } from './tfjs.js';

export interface ParityRuntimes {
  /** Every runtime in RUNTIME_IDS order; those not selected are listed as skipped, not dropped. */
  runtimes: ParityRuntime[];
  /** Node's schedule tables against Chromium's (skipped when no Chromium runtime is selected). */
  scheduleTables(job: ParityJob): Promise<ScheduleTablesReport>;
  /** Closes Chromium and the page server if they were started. */
  dispose(): Promise<void>;
}

export function parityRuntimes(tf: { net: EpsNet; backend: string } | null, selected: readonly RuntimeId[]): ParityRuntimes {
  const chromium = new ChromiumHost();
  const all: ParityRuntime[] = [ortNodeCpu, ortNodeWebgpu, ortNodeCuda, ortWebWasmNode, ...chromiumRuntimes(chromium), tfjsRuntime(tf)];
  all.sort((a, b) => RUNTIME_IDS.indexOf(a.id) - RUNTIME_IDS.indexOf(b.id));
  const notSelected = `not selected (--runtimes ${selected.join(',')})`;
  return {
    runtimes: all.map((rt) => (selected.includes(rt.id) ? rt : { ...rt, run: () => Promise.reject(new RuntimeUnavailable(notSelected)) })),
    scheduleTables: (job) =>
      selected.some((id) => id.startsWith('chromium-'))
        ? chromiumScheduleTables(chromium, job)
        : Promise.resolve({ status: 'skipped', reason: `needs a Chromium runtime, ${notSelected}` }),
    dispose: () => chromium.close(),
  };
}
