import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchChildReply, BenchChildRequest } from './child.js';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

/**
 * Runs one request in a fresh child process (bench/child.js of this build) and resolves with its
 * reply; a child that dies without one rejects with its last line of stderr.
 */
export function runBenchChild(request: BenchChildRequest): Promise<BenchChildReply> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let reply: BenchChildReply | null = null;
    child.on('message', (m: BenchChildReply) => {
      reply = m;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (reply) return resolve(reply);
      const last = stderr.trim().split('\n').at(-1) ?? '';
      reject(new Error(`the benchmark child process died (${signal ?? `exit code ${code}`})${last ? `: ${last}` : ''}`));
    });
    child.send(request);
  });
}
