// Child process of the ORT-node WebGPU runtime: the Vulkan loader reads LD_LIBRARY_PATH and
// VK_ICD_FILENAMES when the process starts, so WebGPU on SwiftShader needs a process started with them.
import type { ExecutionProviderName } from '@onnx-ddpm/sampler/node';
import { runOnOrtNode } from './ort-node.js';
import { type ParityJob, RuntimeUnavailable } from './runtime.js';

/** Parent → child: one job. */
export interface ChildRequest {
  job: ParityJob;
  ep: ExecutionProviderName;
}

/** Child → parent: the output, or why it could not run. */
export type ChildReply =
  | { kind: 'ok'; output: Awaited<ReturnType<typeof runOnOrtNode>> }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'error'; message: string };

process.once('message', async ({ job, ep }: ChildRequest) => {
  let reply: ChildReply;
  try {
    const output = await runOnOrtNode(job, ep);
    reply = { kind: 'ok', output: { ...output, peakRssBytes: process.resourceUsage().maxRSS * 1024 } };
  } catch (err) {
    reply = err instanceof RuntimeUnavailable ? { kind: 'unavailable', reason: err.message } : { kind: 'error', message: (err as Error).message };
  }
  process.send!(reply, () => process.disconnect());
});
