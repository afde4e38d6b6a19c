import { open, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type OutputFile, removeStaleTemps, tempPathBeside, writeFilesAtomic } from '@onnx-ddpm/trainer/files';
import { CliError } from './command.js';

/** What a failed file-system call means, in words. */
export function describeFsError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    default:
      return err.code ?? err.message;
  }
}

async function kindOf(path: string): Promise<'file' | 'folder' | 'other' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch {
    return null;
  }
}

/**
 * Checks, before any work, that an output can be written: a file target is not a folder, a folder target
 * is not a file, and the nearest folder that exists on its path (missing folders are created when writing)
 * is a folder this process can create files in, tried by creating and removing an empty file there.
 * Throws a CliError that names the flag and says what is wrong.
 */
export async function checkOutputPath(flag: string, path: string, kind: 'file' | 'folder'): Promise<void> {
  const fail = (what: string): never => {
    throw new CliError(`--${flag} ${path}: ${what}`);
  };
  const existing = await kindOf(path);
  if (kind === 'file' && existing === 'folder') fail('is a folder; give a file name');
  if (kind === 'file' && existing === 'other') fail('is not a regular file');
  if (kind === 'folder' && existing !== null && existing !== 'folder') fail('is a file, not a folder');
  let folder = kind === 'folder' && existing === 'folder' ? resolve(path) : dirname(resolve(path));
  for (;;) {
    const k = await kindOf(folder);
    if (k === 'folder') break;
    if (k !== null) fail(`${folder} is a file, not a folder`);
    folder = dirname(folder);
  }
  const checkName = join(folder, '.onnx-ddpm-write-check');
  await removeStaleTemps([checkName]);
  const probe = tempPathBeside(checkName);
  try {
    await (await open(probe, 'wx')).close();
  } catch (err) {
    fail(`cannot create files in ${folder} (${describeFsError(err as NodeJS.ErrnoException)})`);
  }
  await rm(probe, { force: true });
}

/**
 * Writes a command's encoded outputs with the one atomic-write helper (every target replaced only once
 * all new files are complete); a failure is a CliError in words, with every output left as it was.
 */
export async function writeOutputs(files: readonly OutputFile[]): Promise<void> {
  try {
    await writeFilesAtomic(files);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CliError(`cannot write ${e.path ?? 'the outputs'} (${describeFsError(e)}); no output was changed`);
  }
}
