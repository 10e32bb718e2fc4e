/**
 * osquery's distributed-query denylist (osquery/distributed/distributed.cpp):
 * `checkAndSetAsRunning` stores a hash of the query in the database BEFORE running it and
 * `setAsNotRunning` removes it after. If the agent dies while the query runs (a crash, the watchdog),
 * the key survives the restart; while it is younger than `distributed_denylist_duration` the same
 * query is not run but answered `Status(1, "Denylisted")` with the message "distributed query is
 * denylisted" (`runQueries`); `cleanupExpiredRunningQueries` removes it after that.
 *
 * The simulator keeps, per host that crashed (lazily), the queries' hashes and their expiry times.
 */
import { hashString } from '../../lib/rng.js';
import { normalizeQuery } from '../fleet/answers.js';

export const DENYLISTED_MESSAGE = 'distributed query is denylisted';

export class Denylist {
  private readonly hosts = new Map<number, Map<number, number>>();

  /** Whether the query is denylisted for the host at `now` (an expired entry is removed). */
  isDenylisted(h: number, sql: string, now: number): boolean {
    const entries = this.hosts.get(h);
    if (entries === undefined) return false;
    const key = hashString(normalizeQuery(sql));
    const until = entries.get(key);
    if (until === undefined) return false;
    if (now < until) return true;
    entries.delete(key);
    if (entries.size === 0) this.hosts.delete(h);
    return false;
  }

  /** The host crashed while running `sql`: it is denylisted until `untilMs`. */
  add(h: number, sql: string, untilMs: number): void {
    let entries = this.hosts.get(h);
    if (entries === undefined) {
      entries = new Map();
      this.hosts.set(h, entries);
    }
    entries.set(hashString(normalizeQuery(sql)), untilMs);
  }
}

/** Whether a query crashes the agent: its text contains one of the scenario's `crash_queries`. */
export function crashes(sql: string, crashQueries: readonly string[]): boolean {
  if (crashQueries.length === 0) return false;
  const text = normalizeQuery(sql);
  return crashQueries.some((c) => text.includes(normalizeQuery(c)));
}
