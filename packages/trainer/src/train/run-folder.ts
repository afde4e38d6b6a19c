import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../files/index.js';
import { type Checkpoint, hasCheckpoint, loadCheckpoint, saveCompactCheckpoint } from './checkpoint.js';
import type { TrainLogRecord } from './steps.js';
import { lockRunFolder } from './run-lock.js';

const LOG = 'log.jsonl';

/** A run folder that cannot be opened as asked (a checkpoint where none should be, or none to resume). */
export class RunFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFolderError';
  }
}

export interface OpenRunOptions {
  /** The run folder: checkpoint/, log.jsonl, config.json, previews/ (created if missing). */
  out: string;
  /** Continue the run in `out` from its checkpoint. */
  resume?: boolean;
  /** Continue this checkpoint (e.g. a compact one) in the new run folder `out`, carrying its log.jsonl. */
  resumeFrom?: string;
  /** Notices (a lock taken over, a compact start, an old log replaced). */
  log?: (line: string) => void;
}

/** An open run folder, locked for this process until release(). */
export interface RunFolder {
  dir: string;
  /** The state this run continues (its config is the run's); undefined for a new run. */
  checkpoint?: Checkpoint;
  release(): Promise<void>;
}

/** The lines of a log.jsonl text up to and including `step`; a line that does not parse (a killed run's last) is dropped. */
function logUpToStep(text: string, step: number): string {
  const loggedAtOrBefore = (line: string): boolean => {
    try {
      return (JSON.parse(line) as TrainLogRecord).step <= step;
    } catch {
      return false;
    }
  };
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && loggedAtOrBefore(line))
    .map((line) => `${line}\n`)
    .join('');
}

const readText = (path: string) => readFile(path, 'utf8').catch(() => null);

/**
 * The log of the run a checkpoint belongs to, up to its step: the log.jsonl in its folder (a compact
 * checkpoint's own copy), else in the run folder of a `<run>/checkpoint`; null when there is none.
 */
async function checkpointLog(ckpt: Checkpoint): Promise<string | null> {
  const dir = ckpt.dir!;
  const text = (await readText(join(dir, LOG))) ?? (basename(dir) === 'checkpoint' ? await readText(join(dirname(dir), LOG)) : null);
  return text === null ? null : logUpToStep(text, ckpt.step);
}

/**
 * Opens `out` for training: takes the run-folder lock (see lockRunFolder), then for a new run checks that
 * no checkpoint is there and starts an empty log.jsonl; with `resume` loads the folder's checkpoint and
 * trims log.jsonl back to its step (a killed run logged past it); with `resumeFrom` loads that checkpoint
 * (its snapshots go into `out`) and writes its run's log up to its step into `out`. On an error the lock
 * is released. train() then appends to the log.
 */
export async function openRunFolder(opts: OpenRunOptions): Promise<RunFolder> {
  const { out, resumeFrom } = opts;
  const log = opts.log ?? (() => {});
  if (opts.resume && resumeFrom !== undefined) throw new RunFolderError('resume (the run in out) and resumeFrom (another checkpoint) exclude each other');
  const lock = await lockRunFolder(out, log);
  try {
    const logPath = join(out, LOG);
    const held = await hasCheckpoint(out);
    let checkpoint: Checkpoint | undefined;
    let history: string;
    if (resumeFrom !== undefined) {
      if (held) throw new RunFolderError(`${out} already holds a checkpoint; --resume-from starts a new run folder (or use --resume to continue ${out})`);
      const loaded = await loadCheckpoint(resumeFrom);
      history = (await checkpointLog(loaded)) ?? '';
      checkpoint = { ...loaded, dir: undefined }; // no `dir`: the first save goes into `out`
      if (loaded.compact) log(`${resumeFrom} is compact: Adam's first moments restart at zero, so this continuation is not bitwise-exact`);
    } else if (opts.resume) {
      if (!held) throw new RunFolderError(`${out} has no checkpoint to resume; run without --resume to start training there`);
      checkpoint = await loadCheckpoint(out);
      history = logUpToStep((await readText(logPath)) ?? '', checkpoint.step);
    } else {
      if (held) throw new RunFolderError(`${out} already holds a checkpoint; add --resume to continue it or pick another --out`);
      // An earlier run killed before its first checkpoint may have left a log.
      if (((await readText(logPath)) ?? '').trim() !== '') log(`${logPath}: left by an earlier run that saved no checkpoint; this new run starts a new log`);
      history = '';
    }
    await writeFileAtomic(logPath, history);
    return { dir: out, ...(checkpoint ? { checkpoint } : {}), release: lock.release };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** Writes a compact copy of `ckpt` into the folder `out`, with its run's log.jsonl up to its step beside it (for loss curves). */
export async function saveCompactCopy(ckpt: Checkpoint, out: string): Promise<void> {
  const history = await checkpointLog(ckpt);
  await saveCompactCheckpoint(out, ckpt, history === null ? {} : { [LOG]: new TextEncoder().encode(history) });
}
