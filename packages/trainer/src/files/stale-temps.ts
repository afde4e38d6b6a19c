import { readdir, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { isProcessAlive } from './process-alive.js';

/**
 * A temporary name beside an output, `[.]<name>.tmp-<pid>[-<id>][.old]` (or `.old-`): what the atomic
 * writers of this and earlier versions leave behind when killed. Yields the output name and the pid.
 */
const TEMP_NAME = /^(\.?)(.+?)\.(?:tmp|old)-(\d+)(?:-[0-9a-z]+)?(?:\.old)?$/;

/**
 * Removes the temporary files and folders that killed writers left beside `paths` (the outputs about to
 * be written): only entries named after one of these outputs whose writer's process is gone. Returns what
 * it removed.
 */
export async function removeStaleTemps(paths: readonly string[]): Promise<string[]> {
  const byFolder = new Map<string, Set<string>>();
  for (const p of paths) {
    const names = byFolder.get(dirname(p)) ?? new Set<string>();
    names.add(basename(p));
    byFolder.set(dirname(p), names);
  }
  const removed: string[] = [];
  for (const [folder, names] of byFolder) {
    const entries = await readdir(folder).catch(() => [] as string[]);
    for (const entry of entries) {
      const m = TEMP_NAME.exec(entry);
      if (!m || !(names.has(m[1]! + m[2]!) || (m[1] === '.' && names.has(m[2]!)))) continue;
      if (isProcessAlive(Number(m[3]))) continue;
      await rm(`${folder}/${entry}`, { recursive: true, force: true });
      removed.push(`${folder}/${entry}`);
    }
  }
  return removed;
}
