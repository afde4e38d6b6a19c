import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { removeStaleTemps } from './stale-temps.js';

/** A file to write: its path and its complete content. */
export interface OutputFile {
  path: string;
  bytes: Uint8Array | string;
}

/**
 * The temporary name of an output beside it, `<name>.tmp-<pid>-<rand>`: in the same folder (so the final
 * rename is atomic) and carrying the writer's pid (so a later run can tell a dead writer's leftover).
 */
export function tempPathBeside(path: string): string {
  return join(dirname(path), `${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** fsyncs a folder, so that the renames into it survive a power loss. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function writeDurably(path: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes several files so that a user's existing file is replaced only once every new file is complete:
 * all the bytes go to temporary files beside their targets (fsynced, parents created), and only then are
 * they renamed over the targets, one by one (after checking that no target is a folder, the one thing
 * that would stop a rename half-way). A failure removes the temporary files and leaves every target
 * untouched; the only files ever removed are this call's temporary ones, and those that killed writers
 * left beside these targets.
 */
export async function writeFilesAtomic(files: readonly OutputFile[]): Promise<void> {
  await removeStaleTemps(files.map((f) => f.path));
  const temps: string[] = [];
  try {
    for (const f of files) {
      await mkdir(dirname(f.path), { recursive: true });
      const tmp = tempPathBeside(f.path);
      temps.push(tmp);
      await writeDurably(tmp, f.bytes);
    }
    // A folder in a target's place would stop its rename after earlier targets were replaced: check first.
    for (const f of files) {
      if (await isFolder(f.path)) throw Object.assign(new Error(`${f.path} is a folder`), { code: 'EISDIR', path: f.path });
    }
    for (const [i, f] of files.entries()) {
      await rename(temps[i]!, f.path);
      temps[i] = '';
    }
    for (const dir of new Set(files.map((f) => dirname(f.path)))) await syncFolder(dir);
  } catch (err) {
    await Promise.all(temps.filter((t) => t !== '').map((t) => rm(t, { force: true })));
    throw err;
  }
}

/** Writes one file atomically: `path` keeps its old content or holds all of the new bytes, never a part. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  return writeFilesAtomic([{ path, bytes }]);
}

/**
 * Replaces the folder `dir` whole: `fill` writes the new content into a temporary folder beside it, which
 * then takes the place of the old folder by renames (the old one is removed last). On a failure the
 * temporary folder is removed and `dir` is untouched.
 */
export async function replaceFolderAtomic(dir: string, fill: (tmp: string) => Promise<void> | void): Promise<void> {
  await removeStaleTemps([dir]);
  const tmp = tempPathBeside(dir);
  const old = `${tmp}.old`;
  await mkdir(tmp, { recursive: true });
  let movedAside = false;
  try {
    await fill(tmp);
    await syncFolder(tmp);
    const existed = await stat(dir).then(
      () => true,
      () => false,
    );
    if (existed) {
      await rename(dir, old);
      movedAside = true;
    }
    await rename(tmp, dir);
  } catch (err) {
    if (movedAside) await rename(old, dir).catch(() => {});
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await syncFolder(dirname(dir));
  if (movedAside) await rm(old, { recursive: true, force: true });
}
