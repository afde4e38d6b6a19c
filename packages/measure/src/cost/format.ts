// Sizes and durations in the messages of every command and report: "1.5 MiB", "41 s", "12 min 5 s", "5 h 02 min".

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Bytes in the largest binary unit that keeps the number ≥ 1 (or in `unit` when given), one decimal above bytes. */
export function formatBytes(bytes: number, unit?: (typeof BYTE_UNITS)[number]): string {
  let i = unit === undefined ? 0 : BYTE_UNITS.indexOf(unit);
  if (unit === undefined) {
    while (bytes >= 1024 ** (i + 1) && i < BYTE_UNITS.length - 1) i++;
  }
  const value = bytes / 1024 ** i;
  return `${value.toFixed(i === 0 ? 0 : 1)} ${BYTE_UNITS[i]}`;
}

/** "41 s", "12 min 5 s", "5 h 02 min". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
