import { rm } from 'node:fs/promises';
import { CliError } from './command.js';
import { writeFileAtomic } from './output.js';

/** Writes encoded outputs, each atomically; on a failure removes those this call already wrote (all or nothing). */
export async function writeAllOrNothing(files: readonly { path: string; bytes: Uint8Array }[]): Promise<void> {
  const written: string[] = [];
  for (const f of files) {
    try {
      await writeFileAtomic(f.path, f.bytes);
      written.push(f.path);
    } catch (err) {
      await Promise.all(written.map((w) => rm(w, { force: true })));
      throw new CliError(`cannot write ${f.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
}
