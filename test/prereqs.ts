// A test that needs something beyond Node says so with these options instead of returning early or
// warning: vitest then reports it as skipped with the reason, and test/skip-reporter.ts lists every
// skip at the end of `pnpm test`. Under CI=true a missing prerequisite fails its test file instead;
// only a test that the hardware of the machine makes meaningless may be skipped there.
//
//   describe('onnx.checker', requires(TEST_DEPS.pythonOnnx), () => { … });
//   it('falls back to cpu', skipForHardware(cudaProviderInstalled(), 'CUDA works here: no fallback to test'), () => { … });
import type { TestOptions } from 'vitest';
import { debianPackages, TEST_DEPS, type TestDep } from '../scripts/test-deps.mjs';

export { TEST_DEPS };

declare module 'vitest' {
  interface TaskMeta {
    /** Why the test was skipped (set by the options below, read by test/skip-reporter.ts). */
    skipReason?: string;
  }
}

/** Whether this run is CI's (`CI=true`, as CI services set it). */
export const underCI = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

const seen = new Map<TestDep, boolean>();
function present(dep: TestDep): boolean {
  if (!seen.has(dep)) seen.set(dep, dep.present());
  return seen.get(dep)!;
}

/**
 * Options for `describe`/`it` that skip, with the reason, when one of `deps` is missing here. Under
 * CI=true a missing prerequisite throws instead, so the test file fails with the reason.
 */
export function requires(...deps: TestDep[]): TestOptions {
  const missing = deps.filter((dep) => !present(dep));
  if (missing.length === 0) return {};
  const reason = `needs ${missing.map((d) => d.name).join(', ')} (Debian: ${debianPackages(missing).join(' ')}; pnpm test installs it)`;
  if (underCI) throw new Error(`CI=true: a missing prerequisite fails the tests: ${reason}`);
  return { skip: true, meta: { skipReason: reason } };
}

/**
 * Options that skip a test, when `skip`, because of this machine's hardware: a test that needs CUDA or
 * a hardware GPU adapter where there is none, or a CPU-fallback test where CUDA works. Allowed under CI.
 */
export function skipForHardware(skip: boolean, reason: string): TestOptions {
  return skip ? { skip: true, meta: { skipReason: `hardware: ${reason}` } } : {};
}
