import { readdirSync, readFileSync } from 'node:fs';
import { cpus, platform, totalmem } from 'node:os';

/** The machine a benchmark ran on, as the README table states it. */
export interface MachineInfo {
  /** ISO date and time of the run. */
  date: string;
  /** CPU model name (/proc/cpuinfo, else os.cpus()). */
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  memoryBytes: number;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    const name = line?.slice(line.indexOf(':') + 1).trim();
    if (name) return name;
  } catch {
    // not Linux: os.cpus() below
  }
  return cpus()[0]?.model.trim() || 'unknown CPU';
}

export function machineInfo(date = new Date()): MachineInfo {
  return {
    date: date.toISOString(),
    cpu: cpuModel(),
    cores: cpus().length,
    node: process.version,
    platform: `${platform()} ${process.arch}`,
    memoryBytes: totalmem(),
  };
}

/** This process's peak resident set size (getrusage ru_maxrss, KiB on Linux). */
export function selfPeakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** VmHWM (peak RSS) of one process from /proc, or 0 when it is gone or unreadable. */
function processPeakRss(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The sum of the peak RSS of every live descendant of this process (e.g. a browser and its
 * renderer and GPU processes), from /proc; null where there is no /proc. A sum of per-process
 * peaks is an upper bound of the tree's peak.
 */
export function descendantsPeakRssBytes(): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      // exited meanwhile
    }
  }
  let sum = 0;
  const stack = [...(children.get(process.pid) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    sum += processPeakRss(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return sum;
}
