#!/usr/bin/env node
import { runCli } from './cli.js';
import { relaunchOnSwiftShader } from './webgpu-relaunch.js';

async function main(argv: string[]): Promise<number> {
  const relaunched = await relaunchOnSwiftShader(argv);
  if (relaunched !== null) return relaunched;
  try {
    return await runCli(argv);
  } finally {
    // Dawn's instance keeps the event loop alive; let the process end.
    if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu != null) {
      (await import('@onnx-ddpm/trainer/node')).releaseWebgpu();
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Anything that is not a CliError is a bug in onnx-ddpm: show the trace.
    process.stderr.write(`onnx-ddpm: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
