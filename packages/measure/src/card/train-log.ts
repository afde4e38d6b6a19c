/**
 * Reading a run's `log.jsonl` (one JSON record per logged step, written by the trainer's loop) for
 * model cards: the loss curve, the running-mean loss and the training time at a given step.
 */

import type { TrainLogRecord } from '@onnx-ddpm/trainer/node';

/** One line of `<run>/log.jsonl`: elapsed_s is training seconds summed over resumes, ema_loss the running mean (≈ 50 steps). */
export type TrainLogPoint = TrainLogRecord;

const FIELDS = ['step', 'loss', 'ema_loss', 'grad_norm', 'lr', 'img_per_s', 'elapsed_s'] as const;

/**
 * Parses log.jsonl text. Blank lines are skipped; an unfinished last line (no newline: the trainer
 * may be writing it) is ignored; any other bad line throws with its line number. A run resumed from
 * an earlier checkpoint logs some steps again: a record whose step is not above the previous one
 * replaces every earlier record from that step on, so the result is strictly increasing in step.
 * With `upToStep`, records after that step are left out (a model exported before the run went on).
 */
export function parseTrainLog(text: string, opts: { upToStep?: number } = {}): TrainLogPoint[] {
  const lines = text.split('\n');
  const out: TrainLogPoint[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const unfinished = i === lines.length - 1;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      if (unfinished) return;
      throw new Error(`log.jsonl line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    const r = record as Record<string, unknown>;
    const bad = FIELDS.find((f) => typeof r[f] !== 'number');
    if (typeof record !== 'object' || record === null || bad !== undefined) {
      throw new Error(`log.jsonl line ${i + 1}: expected numbers ${FIELDS.join(', ')}${bad ? ` (no number '${bad}')` : ''}`);
    }
    const point = Object.fromEntries(FIELDS.map((f) => [f, r[f]])) as unknown as TrainLogPoint;
    while (out.length > 0 && out[out.length - 1]!.step >= point.step) out.pop();
    out.push(point);
  });
  return opts.upToStep === undefined ? out : out.filter((p) => p.step <= opts.upToStep!);
}

/** The figures a card quotes from the log, at its last record. */
export interface TrainLogSummary {
  /** Last logged step. */
  step: number;
  /** Training seconds at that step. */
  seconds: number;
  /** The trainer's running mean of the loss there (≈ the last 50 steps). */
  emaLoss: number;
  /** Median images (or points) per second over the records. */
  itemsPerSecond: number;
}

export function summarizeTrainLog(points: readonly TrainLogPoint[]): TrainLogSummary {
  const last = points[points.length - 1];
  if (!last) throw new Error('log.jsonl has no records');
  const speeds = points.map((p) => p.img_per_s).sort((a, b) => a - b);
  return { step: last.step, seconds: last.elapsed_s, emaLoss: last.ema_loss, itemsPerSecond: speeds[Math.floor(speeds.length / 2)]! };
}
