/** A stable identity for a schedule: the SHA-256 of its float32 tables. */

import type { SchedulerConfig } from './config.js';
import { sha256Hex } from './sha256.js';
import { computeTables, type ScheduleTables, TABLE_NAMES } from './tables.js';

/** Domain tag hashed before the tables, so a change of layout can change the version. */
const TAG = 'onnx-ddpm/schedule-tables/v1';

/**
 * `sha256:<hex>` of: the ASCII tag "onnx-ddpm/schedule-tables/v1", T as uint32 LE, then each table
 * in {@link TABLE_NAMES} order as float32 LE bytes. Covers the tables only: config fields that do
 * not change them (prediction_type, variance_type, clip_sample, timestep_spacing, ...) do not
 * change the fingerprint.
 */
export function tablesFingerprint(tables: ScheduleTables): string {
  const T = tables.T;
  const bytes = new Uint8Array(TAG.length + 4 + TABLE_NAMES.length * T * 4);
  for (let i = 0; i < TAG.length; i++) bytes[i] = TAG.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  let offset = TAG.length;
  view.setUint32(offset, T, true);
  offset += 4;
  for (const name of TABLE_NAMES) {
    const table = tables[name];
    if (table.length !== T) throw new RangeError(`table ${name} has ${table.length} entries, expected T = ${T}`);
    for (let t = 0; t < T; t++, offset += 4) view.setFloat32(offset, table[t], true);
  }
  return `sha256:${sha256Hex(bytes)}`;
}

/** Fingerprint of the config's schedule tables (see {@link tablesFingerprint}). */
export function fingerprint(config: SchedulerConfig): string {
  return tablesFingerprint(computeTables(config));
}
