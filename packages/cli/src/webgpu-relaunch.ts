import { spawn } from 'node:child_process';

/** The value of `--flag v` or `--flag=v` in argv. */
function flagValue(args: string[], flag: string): string | undefined {
  for (const [i, a] of args.entries()) {
    if (a === flag) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

/** Whether an invocation trains on TF.js's WebGPU backend in this process (train --backend webgpu, parity --train). */
export function usesWebgpu(argv: string[]): boolean {
  const [name, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) return false;
  if (name === 'train') return flagValue(rest, '--backend') === 'webgpu';
  return name === 'parity' && rest.includes('--train');
}

/**
 * Where this invocation uses WebGPU and Dawn finds no adapter but Debian's Chromium ships SwiftShader,
 * runs the same command again in a child process started with SwiftShader's Vulkan environment (the
 * Vulkan loader reads it at process start) and returns its exit code; else null (run here).
 */
export async function relaunchOnSwiftShader(argv: string[]): Promise<number | null> {
  if (!usesWebgpu(argv)) return null;
  const { webgpuRelaunchEnv } = await import('@onnx-ddpm/trainer/node');
  const env = await webgpuRelaunchEnv();
  if (env == null) return null;
  process.stderr.write(`onnx-ddpm: no WebGPU adapter here; running on SwiftShader (${env.VK_ICD_FILENAMES})\n`);
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], { env, stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal; it saves a checkpoint and exits. Forward a SIGTERM.
  const ignore = () => {};
  const forward = () => child.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (status, signal) => resolve(status ?? (signal === 'SIGINT' ? 130 : 1)));
  });
  process.off('SIGINT', ignore);
  process.off('SIGTERM', forward);
  return code;
}
