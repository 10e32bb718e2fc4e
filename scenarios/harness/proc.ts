/**
 * CPU time and resident memory of a process, read from /proc (Linux). The one reader: `osqsim run`'s
 * sampler, capacity sweeps and probes and the benchmarks all use it, so their figures agree.
 *
 * Resident memory is `VmRSS` from /proc/<pid>/status (kB, as the kernel counts it), not the page count
 * in /proc/<pid>/stat: that one needs the page size, which Node does not expose and which is not 4 KiB
 * on every arm64 kernel (16 KiB, 64 KiB). Where /proc is missing (macOS, Windows) or the process is
 * gone, the reader answers `undefined`.
 */
import { readFileSync } from 'node:fs';

export interface ProcessStats {
  /** performance.now() when read, for rates between two reads. */
  atMs: number;
  /** User + system CPU time so far, ms. */
  cpuMs: number;
  /** Resident set size, MB. */
  rssMb: number;
}

/** Clock ticks per second of /proc/<pid>/stat: USER_HZ, 100 on every mainstream Linux architecture. */
const USER_HZ = 100;

/** CPU ms of /proc/<pid>/stat's text: utime + stime (fields 14 and 15). Pure. */
export function cpuMsFromStat(stat: string): number {
  // The command name (field 2) may contain spaces and parentheses: fields after it start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

/** RSS in MB of /proc/<pid>/status's text (the VmRSS line, kB); NaN without one. Pure. */
export function rssMbFromStatus(status: string): number {
  return Number(/^VmRSS:\s+(\d+)\s*kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** CPU time and RSS of `pid` now; undefined where /proc is not available or the process is gone (or has no pid). */
export function processStats(pid: number | undefined): ProcessStats | undefined {
  if (pid === undefined) return undefined;
  try {
    const cpuMs = cpuMsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rssMb = rssMbFromStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { atMs: performance.now(), cpuMs, rssMb };
  } catch {
    return undefined;
  }
}
