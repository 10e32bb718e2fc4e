/**
 * The operating-system limits that bound how many sockets one process can hold: open file
 * descriptors (`ulimit -n`, /proc/self/limits "Max open files") and the ephemeral port range
 * (/proc/sys/net/ipv4/ip_local_port_range: ports a client can use per source address and
 * destination). Linux only; elsewhere each answers undefined and callers fall back to a default.
 * The parsers are pure so tests can feed them text.
 */
import { readFileSync } from 'node:fs';

/** The soft "Max open files" limit from /proc/self/limits text; undefined when absent or unlimited. */
export function parseOpenFileLimit(limits: string): number | undefined {
  const match = /^Max open files\s+(\S+)/m.exec(limits);
  if (!match || match[1] === 'unlimited') return undefined;
  const n = Number(match[1]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Ports per source address from ip_local_port_range text ("32768\t60999"). */
export function parsePortRange(text: string): { low: number; high: number; size: number } | undefined {
  const [low, high] = text.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high! < low!) return undefined;
  return { low: low!, high: high!, size: high! - low! + 1 };
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** This process's open-file limit (`ulimit -n`), or undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  const text = read('/proc/self/limits');
  return text === undefined ? undefined : parseOpenFileLimit(text);
}

/** The kernel's ephemeral port range, or undefined where it cannot be read. */
export function ephemeralPortRange(): { low: number; high: number; size: number } | undefined {
  const text = read('/proc/sys/net/ipv4/ip_local_port_range');
  return text === undefined ? undefined : parsePortRange(text);
}
