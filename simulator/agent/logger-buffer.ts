/**
 * osquery's buffered TLS logger (plugins/logger/buffered.cpp, BufferedLogForwarder; the TLS send in
 * plugins/logger/tls_logger.cpp, TLSLogForwarder::send, is ONE request: no attempts loop):
 * - `check()` scans at most `logger_tls_max_lines` buffered lines IN TOTAL, in key order: result keys
 *   (`<name>_r_…`) sort before status keys (`<name>_s_…`), so results fill the scan first;
 * - results, then statuses, are each sent in one request when that type has lines and is not backing
 *   off; a failure sets that type's backoff to period × n² (n = consecutive failures), capped at
 *   `logger_tls_backoff_max` (n then stays); a success clears it. `logger_tls_backoff_max` ≤ the
 *   period disables backoff (`backoffTick`);
 * - `start()`: after a check it pauses one period and ticks each backoff down by a period, and keeps
 *   pausing while BOTH types back off; so a type backing off is skipped at the checks in between;
 * - `purge()`: lines beyond `buffered_log_max` (0 = unlimited) are purged after each check, oldest first.
 * The simulator keeps line COUNTS per host (not lines); the backoff state is allocated only for hosts
 * that are backing off.
 */

/** The lines one check takes: results first, statuses up to the shared cap. */
export function takeLines(results: number, statuses: number, maxLines: number): { results: number; statuses: number } {
  const r = Math.min(results, maxLines);
  return { results: r, statuses: Math.min(statuses, maxLines - r) };
}

/** One log type's backoff: consecutive failures and the time left, in ms. */
export interface TypeBackoff {
  failures: number;
  leftMs: number;
}

/** After a failed send (buffered.cpp, check): period × n², capped (n stays below the cap). */
export function backOff(b: TypeBackoff, periodMs: number, maxMs: number): void {
  if (maxMs <= 0) return;
  b.failures++;
  b.leftMs = periodMs * b.failures * b.failures;
  if (b.leftMs > maxMs) {
    b.leftMs = maxMs;
    b.failures--;
  }
}

/** One pause of the forwarder's loop (buffered.cpp, backoffTick). */
export function tick(b: TypeBackoff, periodMs: number, maxMs: number): void {
  if (maxMs <= periodMs) {
    b.failures = 0;
    b.leftMs = 0;
  } else if (b.leftMs > 0) b.leftMs -= periodMs;
}

/** Lines to purge so at most `max` stay (0 = unlimited), split between the types by their share. */
export function purgeCounts(results: number, statuses: number, max: number): { results: number; statuses: number } {
  const total = results + statuses;
  if (max <= 0 || total <= max) return { results: 0, statuses: 0 };
  const over = total - max;
  const fromResults = Math.min(results, Math.round((over * results) / total));
  return { results: fromResults, statuses: over - fromResults };
}

/** A host's logger backoff state (results and statuses back off separately). */
export interface LoggerBackoff {
  results: TypeBackoff;
  statuses: TypeBackoff;
}

export function newLoggerBackoff(): LoggerBackoff {
  return { results: { failures: 0, leftMs: 0 }, statuses: { failures: 0, leftMs: 0 } };
}

export function isIdle(b: LoggerBackoff): boolean {
  return b.results.failures === 0 && b.results.leftMs <= 0 && b.statuses.failures === 0 && b.statuses.leftMs <= 0;
}

/** The backoff of every host that is backing off (none for the others). */
export class LoggerBackoffs {
  private readonly hosts = new Map<number, LoggerBackoff>();

  /** Whether each type may send at this check. */
  maySend(h: number, type: 'results' | 'statuses'): boolean {
    const b = this.hosts.get(h);
    return b === undefined || b[type].leftMs <= 0;
  }

  /** The outcome of a send: a success clears that type's backoff, a failure extends it. */
  record(h: number, type: 'results' | 'statuses', ok: boolean, periodMs: number, maxMs: number): void {
    let b = this.hosts.get(h);
    if (ok) {
      if (b !== undefined) b[type] = { failures: 0, leftMs: 0 };
      return;
    }
    if (b === undefined) {
      b = newLoggerBackoff();
      this.hosts.set(h, b);
    }
    backOff(b[type], periodMs, maxMs);
  }

  /** The next check after one at `next − period`: one pause, more while BOTH types back off (buffered.cpp, start). */
  nextCheck(h: number, next: number, periodMs: number, maxMs: number): number {
    const b = this.hosts.get(h);
    if (b === undefined) return next;
    tick(b.results, periodMs, maxMs);
    tick(b.statuses, periodMs, maxMs);
    while (b.results.leftMs > 0 && b.statuses.leftMs > 0) {
      next += periodMs;
      tick(b.results, periodMs, maxMs);
      tick(b.statuses, periodMs, maxMs);
    }
    if (isIdle(b)) this.hosts.delete(h);
    return next;
  }

  forget(h: number): void {
    this.hosts.delete(h);
  }

  get size(): number {
    return this.hosts.size;
  }
}
