import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ExecutionProviderError, type OpenSessionOptions, openSession, type ProviderTable, type SessionOnProvider, shortOrtMessage } from '../ort/session.js';
import { probeModelBytes } from './probe-model.js';

/** Execution providers the Node adapter knows how to ask onnxruntime-node for. */
export const EXECUTION_PROVIDERS = ['cuda', 'webgpu', 'cpu'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];
export const DEFAULT_EXECUTION_PROVIDERS: readonly ExecutionProviderName[] = ['cuda', 'cpu'];

/**
 * Session options every Node session starts from: on the CPU EP one intra-op thread per core. onnxruntime-node
 * 1.30 left that at 0 ("its default") and ran 1 thread on this project's 2-core VMs (its CPU time equalled its
 * wall time); 2 threads sampled the 28×28 U-Net 1.67× faster (2026-12-02). The caller's options override it.
 */
export function nodeSessionDefaults(ep: ExecutionProviderName): ort.InferenceSession.SessionOptions {
  return ep === 'cpu' ? { intraOpNumThreads: availableParallelism() } : {};
}

/** Parses an ordered preference such as `cuda,webgpu,cpu`; throws on unknown or repeated names. */
export function parseExecutionProviders(spec: string): ExecutionProviderName[] {
  const names = spec
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (names.length === 0) throw new ExecutionProviderError(`no execution provider in '${spec}' (choose from ${EXECUTION_PROVIDERS.join(', ')})`);
  for (const name of names) {
    if (!(EXECUTION_PROVIDERS as readonly string[]).includes(name)) {
      throw new ExecutionProviderError(`unknown execution provider '${name}' (choose from ${EXECUTION_PROVIDERS.join(', ')})`);
    }
  }
  if (new Set(names).size !== names.length) throw new ExecutionProviderError(`execution provider listed twice in '${spec}'`);
  return names as ExecutionProviderName[];
}

/** Directory holding onnxruntime-node's native binding and its optional provider libraries. */
function ortBinaryDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/** Whether onnxruntime-node's CUDA provider library was installed (it is not bundled; `pnpm setup:gpu` fetches it). */
export function cudaProviderInstalled(): boolean {
  const file = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(ortBinaryDir(), file));
}

function unavailableReason(name: ExecutionProviderName): string | null {
  if (name === 'cuda' && !cudaProviderInstalled()) {
    return 'the CUDA execution provider is not installed (onnxruntime-node ships without it): run `pnpm setup:gpu` on a machine with an NVIDIA GPU and CUDA 12';
  }
  return null;
}

const SWIFTSHADER_HINT =
  'without a GPU, start node with LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json for SwiftShader';

/** onnxruntime-node's providers for the shared ORT adapter. */
export const NODE_PROVIDERS: ProviderTable<ExecutionProviderName> = {
  runtime: 'onnxruntime',
  baseline: 'cpu',
  unavailableReason,
  failureHint: (ep, reason) => (ep === 'webgpu' && /adapter/i.test(reason) ? SWIFTSHADER_HINT : null),
};

/**
 * Creates an onnxruntime-node session on the first provider of `preference` that works, warning
 * once per provider skipped. Throws an ExecutionProviderError when none works.
 */
export function createSessionWithFallback(
  model: string | Uint8Array,
  preference: readonly ExecutionProviderName[],
  opts: Omit<OpenSessionOptions<ExecutionProviderName>, 'sessionOptions'> & { sessionOptions?: ort.InferenceSession.SessionOptions } = {},
): Promise<SessionOnProvider<ExecutionProviderName>> {
  const { sessionOptions } = opts;
  return openSession(ort, model, preference, NODE_PROVIDERS, { onWarning: opts.onWarning, sessionOptions: (ep) => ({ ...nodeSessionDefaults(ep), ...sessionOptions }) });
}

export interface ProviderProbe {
  name: ExecutionProviderName;
  ok: boolean;
  /** Session creation + one run, in ms, when ok. */
  ms?: number;
  message: string;
}

/**
 * Tries every known provider on a tiny model: creates a session and runs it once, so "ok" means
 * the provider really computes here. For `onnx-ddpm doctor`.
 */
export async function probeExecutionProviders(): Promise<ProviderProbe[]> {
  const model = probeModelBytes();
  const probes: ProviderProbe[] = [];
  for (const name of EXECUTION_PROVIDERS) {
    const reason = unavailableReason(name);
    if (reason !== null) {
      probes.push({ name, ok: false, message: reason });
      continue;
    }
    const t0 = performance.now();
    try {
      const session = await ort.InferenceSession.create(model, { executionProviders: [name], logSeverityLevel: 4 });
      try {
        const x = new ort.Tensor('float32', new Float32Array([1, 2, 3, 4, -1, -2, -3, -4]), [2, 4]);
        const out = await session.run({ x });
        const y = out.y?.data as Float32Array | undefined;
        // x·W + b for x = [1, 2, 3, 4]: 1 + (2 + 3 + 4)·0.25 + 0.5 = 3.75
        if (y?.length !== 8 || Math.abs(y[0]! - 3.75) > 1e-3) throw new Error(`wrong result ${y ? Array.from(y).join(',') : 'none'}`);
      } finally {
        await session.release();
      }
      probes.push({ name, ok: true, ms: performance.now() - t0, message: 'created a session and ran a tiny model' });
    } catch (err) {
      let message = shortOrtMessage(err);
      const hint = NODE_PROVIDERS.failureHint?.(name, message);
      if (hint) message += ` (${hint})`;
      probes.push({ name, ok: false, message });
    }
  }
  return probes;
}

/** onnxruntime-node's version and the backends its binding lists. */
export function ortVersions(): { version: string; backends: { name: string; bundled: boolean }[] } {
  const listed = (ort as unknown as { listSupportedBackends?: () => { name: string; bundled: boolean }[] }).listSupportedBackends;
  return { version: ort.env.versions.node ?? ort.env.versions.common, backends: listed ? listed() : [] };
}
