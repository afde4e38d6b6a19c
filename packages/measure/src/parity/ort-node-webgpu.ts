import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExecutionProviderName } from '@onnx-ddpm/sampler/node';
import { forkForReply } from '../fork-for-reply.js';
import type { ChildReply, ChildRequest } from './ort-node-child.js';
import { type ParityJob, type ParityRuntime, type RuntimeOutput, RuntimeUnavailable } from './runtime.js';

/** Debian's Chromium ships SwiftShader's Vulkan driver; Dawn in onnxruntime-node can use it. */
export const SWIFTSHADER_ENV = {
  LD_LIBRARY_PATH: '/usr/lib/chromium',
  VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
} as const;

const CHILD = fileURLToPath(new URL('./ort-node-child.js', import.meta.url));

/** Runs the job on onnxruntime-node in a child process started with `env`. */
export async function runOrtNodeChild(job: ParityJob, ep: ExecutionProviderName, env: NodeJS.ProcessEnv): Promise<RuntimeOutput> {
  const reply = await forkForReply<ChildRequest, ChildReply>(CHILD, { job, ep }, { env, what: `the onnxruntime-node ${ep} child process` });
  if (reply.kind === 'ok') return reply.output;
  if (reply.kind === 'unavailable') throw new RuntimeUnavailable(reply.reason);
  throw new Error(reply.message);
}

/**
 * ORT-node's WebGPU EP: first with this process's environment (a real GPU), then, where that finds
 * no adapter and Debian's Chromium is installed, on SwiftShader.
 */
export const ortNodeWebgpu: ParityRuntime = {
  id: 'ort-node-webgpu',
  label: 'ORT-node WebGPU',
  async run(job) {
    try {
      return await runOrtNodeChild(job, 'webgpu', process.env);
    } catch (err) {
      const own = process.env.VK_ICD_FILENAMES === SWIFTSHADER_ENV.VK_ICD_FILENAMES;
      if (!(err instanceof RuntimeUnavailable) || own || !existsSync(SWIFTSHADER_ENV.VK_ICD_FILENAMES)) throw err;
      const output = await runOrtNodeChild(job, 'webgpu', { ...process.env, ...SWIFTSHADER_ENV });
      return { ...output, detail: `${output.detail} on SwiftShader (Vulkan driver of Debian's Chromium)` };
    }
  },
};
