import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, removeStaleTemps, tempPathBeside } from '../files/index.js';

/** Who holds a run folder: the content of `<run>/.lock`. */
interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  command: string;
}

/** The run folder is being written by another live process. */
export class RunFolderBusyError extends Error {
  constructor(
    readonly runDir: string,
    readonly holder: LockHolder,
  ) {
    const where = holder.hostname === hostname() ? '' : ` on ${holder.hostname}`;
    super(
      `${runDir} is in use by process ${holder.pid}${where} (${holder.command || 'onnx-ddpm'}, since ${holder.startedAt}); ` +
        `wait for it to finish or stop it (if no such process runs, remove ${join(runDir, LOCK)})`,
    );
    this.name = 'RunFolderBusyError';
  }
}

const LOCK = '.lock';

/** A held run-folder lock; release() (also run at process exit) removes it. */
export interface RunFolderLock {
  release(): Promise<void>;
}

function parseHolder(text: string | null): LockHolder | null {
  try {
    const h = JSON.parse(text ?? '') as LockHolder;
    return Number.isSafeInteger(h.pid) ? h : null;
  } catch {
    return null;
  }
}

/** Whether the lock's holder still runs (a lock from another machine is taken as held). */
function held(h: LockHolder | null): boolean {
  return h !== null && (h.hostname !== hostname() || isProcessAlive(h.pid));
}

/**
 * Locks a run folder (created if missing) for this process, so that a second `train` on it refuses instead
 * of interleaving two runs: `<run>/.lock` names the holder's pid, host, start time and command. It is
 * created whole by a hard link (a reader never sees it half-written). A lock whose process is gone — left
 * by a kill -9 — is taken over, with a message through `log`. Throws RunFolderBusyError when held.
 */
export async function lockRunFolder(runDir: string, log: (line: string) => void = () => {}): Promise<RunFolderLock> {
  await mkdir(runDir, { recursive: true });
  const path = join(runDir, LOCK);
  const me: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    command: ['onnx-ddpm', ...process.argv.slice(2)].join(' '),
  };
  const mine = `${JSON.stringify(me)}\n`;
  await removeStaleTemps([path]);
  const tmp = tempPathBeside(path);
  await writeFile(tmp, mine, { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(tmp, path);
        return heldLock(path, mine);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const text = await readFile(path, 'utf8').catch(() => null);
      if (text === null) continue; // released meanwhile: try again
      const holder = parseHolder(text);
      if (held(holder)) throw new RunFolderBusyError(runDir, holder!);
      // Stale: move it aside, and put it back if another process re-locked in between.
      const aside = tempPathBeside(path);
      try {
        await rename(path, aside);
      } catch {
        continue;
      }
      if ((await readFile(aside, 'utf8').catch(() => null)) !== text) await link(aside, path).catch(() => {});
      else log(`${runDir}: taking over the lock of process ${holder?.pid ?? '?'}, which is no longer running`);
      await rm(aside, { force: true });
    }
    throw new Error(`${path}: could not take the lock after 5 attempts`);
  } finally {
    await rm(tmp, { force: true });
  }
}

function heldLock(path: string, mine: string): RunFolderLock {
  // Only our own lock is removed: one taken over after this process was presumed dead is not ours.
  const removeIfMine = () => {
    try {
      if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', removeIfMine);
  return {
    release: async () => {
      process.off('exit', removeIfMine);
      if ((await readFile(path, 'utf8').catch(() => null)) === mine) await rm(path, { force: true });
    },
  };
}
