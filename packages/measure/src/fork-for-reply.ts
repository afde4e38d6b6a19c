// One request to a forked child process, one reply back: the benchmark children and the
// onnxruntime-node children of the parity matrix (a leaf module, so neither imports the other).
import { fork } from 'node:child_process';

/**
 * Forks `script`, sends it one request and resolves with the last message it sent before it
 * exited; a child that exits without one rejects with "<what> died (…)" and its last stderr line.
 */
export function forkForReply<Request, Reply>(script: string, request: Request, opts: { what: string; env?: NodeJS.ProcessEnv }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [], { env: opts.env ?? process.env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let reply: { message: Reply } | null = null;
    child.on('message', (message: Reply) => {
      reply = { message };
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const r = reply as { message: Reply } | null;
      if (r) return resolve(r.message);
      const last = stderr.trim().split('\n').at(-1) ?? '';
      reject(new Error(`${opts.what} died (${signal ?? `exit code ${code}`})${last ? `: ${last}` : ''}`));
    });
    child.send(request as object);
  });
}
