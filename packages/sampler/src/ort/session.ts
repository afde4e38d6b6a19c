// One ORT adapter over onnxruntime-common (as onnxruntime's own common/node/web split): sessions on
// the first execution provider that works, and ORT's error messages made short. onnxruntime-node
// and onnxruntime-web pass their module and a ProviderTable; nothing here imports a runtime.
import type { InferenceSession, Tensor } from 'onnxruntime-common';

/** What the adapter uses of onnxruntime-node's or onnxruntime-web's module (both re-export onnxruntime-common). */
export interface OrtModule {
  Tensor: typeof Tensor;
  InferenceSession: typeof InferenceSession;
}

/** No execution provider of the preference works, or the model cannot be loaded at all. */
export class ExecutionProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionProviderError';
  }
}

/**
 * ORT's messages start with a source location and a status code (native) or carry a long trace
 * (web); keep the human part, one line.
 */
export function shortOrtMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line
    .replace(/^\/\S+:\d+\s+/, '')
    .replace(/^.*?\[ONNXRuntimeError\] : \d+ : \w+ : /, '')
    .replace(/^.* was false\. /, '')
    .trim();
}

/** How one runtime's execution providers behave: the runtime supplies it, the fallback is written once. */
export interface ProviderTable<EP extends string> {
  /** 'onnxruntime' or 'onnxruntime-web', for messages. */
  runtime: string;
  /** The provider every build has (cpu, wasm): a model that fails there fails everywhere. */
  baseline: EP;
  /** Why `ep` cannot run here, found before trying it, or null. */
  unavailableReason(ep: EP): string | null | Promise<string | null>;
  /** A hint appended to a failure reason (e.g. how to get a WebGPU adapter without a GPU). */
  failureHint?(ep: EP, reason: string): string | null;
}

export interface SessionOnProvider<EP extends string> {
  session: InferenceSession;
  /** The provider the session was created with (the first of the preference that worked). */
  executionProvider: EP;
}

export interface OpenSessionOptions<EP extends string> {
  /** Called once for every provider that was skipped, with the reason and the provider tried next. */
  onWarning?: (message: string) => void;
  /** Session options for a provider (its executionProviders and, unless given, logSeverityLevel 3 are set here). */
  sessionOptions?: (ep: EP) => InferenceSession.SessionOptions;
}

/**
 * Creates a session on the first provider of `preference` that works, warning once per provider
 * skipped. A model that fails on the baseline provider is reported as a model that cannot load,
 * not as a provider problem. Throws an ExecutionProviderError when none works.
 */
export async function openSession<EP extends string>(
  ort: OrtModule,
  model: string | Uint8Array,
  preference: readonly EP[],
  table: ProviderTable<EP>,
  opts: OpenSessionOptions<EP> = {},
): Promise<SessionOnProvider<EP>> {
  const failures: string[] = [];
  for (const [i, ep] of preference.entries()) {
    let reason = await table.unavailableReason(ep);
    if (reason === null) {
      const options: InferenceSession.SessionOptions = { logSeverityLevel: 3, ...opts.sessionOptions?.(ep), executionProviders: [ep] };
      try {
        const session =
          typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
        return { session, executionProvider: ep };
      } catch (err) {
        if (ep === table.baseline) throw new ExecutionProviderError(`${table.runtime} could not load the model: ${shortOrtMessage(err)}`);
        reason = `${ep} failed: ${shortOrtMessage(err)}`;
        const hint = table.failureHint?.(ep, reason);
        if (hint) reason += ` (${hint})`;
      }
    }
    failures.push(reason);
    const next = preference[i + 1];
    if (next !== undefined) opts.onWarning?.(`execution provider ${ep} unavailable: ${reason}; falling back to ${next}`);
  }
  throw new ExecutionProviderError(`no execution provider of [${preference.join(', ')}] works: ${failures.join('; ')}`);
}
