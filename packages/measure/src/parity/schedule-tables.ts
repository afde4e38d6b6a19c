import { computeTables, type SchedulerConfig, TABLE_NAMES } from '@onnx-ddpm/schedule';

/** Node's schedule tables against another runtime's, bit for bit. */
export type ScheduleTablesReport =
  | { status: 'ran'; equal: boolean; mismatched: string[]; summary: string }
  | { status: 'skipped' | 'failed'; reason: string };

/** Compares every table of `config` with `other` (e.g. the page's `scheduleTables()`) as float32 bit patterns. */
export function compareScheduleTables(config: SchedulerConfig, other: Record<string, ArrayLike<number>>, where: string): ScheduleTablesReport {
  const node = computeTables(config);
  const mismatched: string[] = [];
  for (const name of TABLE_NAMES) {
    const theirs = other[name];
    const ours = new Uint32Array(node[name].buffer, node[name].byteOffset, node[name].length);
    // A value that is not a float32 (Math.fround changes it) cannot be bitwise equal either.
    const same =
      theirs !== undefined &&
      theirs.length === ours.length &&
      Array.from(theirs).every((v) => Math.fround(v) === v) &&
      new Uint32Array(Float32Array.from(theirs).buffer).every((bits, i) => bits === ours[i]);
    if (!same) mismatched.push(name);
  }
  const equal = mismatched.length === 0;
  const summary = equal
    ? `bitwise equal (${TABLE_NAMES.length} tables × ${node.T} entries, ${where})`
    : `DIFFER in ${mismatched.join(', ')} (${where})`;
  return { status: 'ran', equal, mismatched, summary };
}
