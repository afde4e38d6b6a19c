import type { EpsNet } from '@onnx-ddpm/trainer';
import { ortNodeCpu } from './ort-node-cpu.js';
import { ortNodeCuda } from './ort-node-cuda.js';
import { ortNodeWebgpu } from './ort-node-webgpu.js';
import { ortWebWasmNode } from './ort-web-wasm-node.js';
import { type ParityRuntime, RUNTIME_IDS, type RuntimeId, RuntimeUnavailable } from './runtime.js';
import { tfjsRuntime } from './tfjs.js';

/** Every runtime in RUNTIME_IDS order; those not in `selected` are listed as skipped, not dropped. */
export function parityRuntimes(tf: { net: EpsNet; backend: string } | null, selected: readonly RuntimeId[]): ParityRuntime[] {
  const all: ParityRuntime[] = [ortNodeCpu, ortNodeWebgpu, ortNodeCuda, ortWebWasmNode, tfjsRuntime(tf)];
  all.sort((a, b) => RUNTIME_IDS.indexOf(a.id) - RUNTIME_IDS.indexOf(b.id));
  return all.map((rt) =>
    selected.includes(rt.id)
      ? rt
      : {
          ...rt,
          run: () => Promise.reject(new RuntimeUnavailable(`not selected (--runtimes ${selected.join(',')})`)),
        },
  );
}
