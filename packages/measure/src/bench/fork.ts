import { fileURLToPath } from 'node:url';
import { forkForReply } from '../fork-for-reply.js';
import type { BenchChildReply, BenchChildRequest } from './child.js';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

/** Runs one request in a fresh child process (bench/child.js of this build). */
export function runBenchChild(request: BenchChildRequest): Promise<BenchChildReply> {
  return forkForReply(CHILD, request, { what: 'the benchmark child process' });
}
