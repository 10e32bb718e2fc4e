/**
 * The buffered log lines of every host of a worker, as COUNTS (osquery keeps the lines themselves in
 * its database: plugins/logger/buffered.cpp): status lines accrue at their rate, result lines from the
 * scheduled queries' runs (schedule.ts), counted per query so a request's lines name the queries that
 * produced them. Per-query counts exist only for hosts whose schedule logs.
 */
import { purgeCounts, takeLines } from './logger-buffer.js';
import { runsBetween, splayedIntervalS, type ScheduledAnswer, type ScheduledQuery } from './schedule.js';

/** A host's schedule as the accrual needs it. */
export interface HostSchedule {
  queries: readonly ScheduledQuery[];
  answers: readonly ScheduledAnswer[];
  seed: number;
  /** Global host index (the splay seed). */
  hostIndex: number;
}

export class LogBuffers {
  readonly status: Float32Array;
  readonly results: Float32Array;
  /** Time of the host's last check (lines accrue from it). */
  readonly lastCheck: Float64Array;
  /** When the host adopted its schedule (its scheduled queries' first runs follow). */
  readonly scheduleSince: Float64Array;
  private readonly byQuery = new Map<number, Float64Array>();
  /** Lines purged past `buffered_log_max`, all hosts. */
  purged = 0;

  constructor(hosts: number) {
    this.status = new Float32Array(hosts);
    this.results = new Float32Array(hosts);
    this.lastCheck = new Float64Array(hosts);
    this.scheduleSince = new Float64Array(hosts);
  }

  /** Lines that accrued since the last check: status lines at their rate, result lines of scheduled runs. */
  accrue(h: number, now: number, statusPerMs: number, schedule: HostSchedule | undefined): void {
    const last = this.lastCheck[h]!;
    const elapsed = Math.max(0, now - last);
    this.lastCheck[h] = now;
    this.status[h]! += statusPerMs * elapsed;
    if (schedule === undefined || elapsed === 0) return;
    const since = this.scheduleSince[h]!;
    const from = Math.max(last, since);
    let lines = 0;
    let byQuery = this.byQuery.get(h);
    for (let q = 0; q < schedule.answers.length; q++) {
      const a = schedule.answers[q]!;
      if (a.linesPerRun === 0 && a.linesFirstRun === 0) continue;
      const every = splayedIntervalS(schedule.queries[q]!, schedule.seed, schedule.hostIndex);
      const runs = runsBetween(every, from, now);
      if (runs === 0) continue;
      const first = runsBetween(every, since, from) === 0; // no run yet before this window
      const added = first ? a.linesFirstRun + (runs - 1) * a.linesPerRun : runs * a.linesPerRun;
      if (added === 0) continue;
      if (byQuery === undefined || byQuery.length !== schedule.answers.length) {
        byQuery = new Float64Array(schedule.answers.length);
        this.byQuery.set(h, byQuery);
      }
      byQuery[q]! += added;
      lines += added;
    }
    this.results[h]! += lines;
  }

  /** What one check may send (buffered.cpp, check): results first within the shared cap. */
  take(h: number, maxLines: number): { results: number; statuses: number } {
    return takeLines(Math.floor(this.results[h]!), Math.floor(this.status[h]!), maxLines);
  }

  /** Which scheduled queries the next `lines` result lines belong to (profile order), as (index, count) pairs; -1: a query no longer scheduled. */
  pick(h: number, lines: number): number[] {
    const byQuery = this.byQuery.get(h);
    const picks: number[] = [];
    let left = lines;
    if (byQuery !== undefined) {
      for (let q = 0; q < byQuery.length && left > 0; q++) {
        const n = Math.min(left, Math.floor(byQuery[q]!));
        if (n <= 0) continue;
        picks.push(q, n);
        left -= n;
      }
    }
    if (left > 0) picks.push(-1, left);
    return picks;
  }

  /** Result lines sent (or purged): they leave the buffer. */
  removeResults(h: number, picks: readonly number[]): void {
    let total = 0;
    const byQuery = this.byQuery.get(h);
    for (let i = 0; i < picks.length; i += 2) {
      total += picks[i + 1]!;
      if (byQuery !== undefined && picks[i]! >= 0) byQuery[picks[i]!]! -= picks[i + 1]!;
    }
    this.results[h]! -= total;
  }

  removeStatuses(h: number, lines: number): void {
    this.status[h]! -= lines;
  }

  /** buffered.cpp, purge: lines beyond `max` (0 = unlimited) go, counted. */
  purge(h: number, max: number): void {
    const p = purgeCounts(Math.floor(this.results[h]!), Math.floor(this.status[h]!), max);
    if (p.results > 0) this.removeResults(h, this.pick(h, p.results));
    if (p.statuses > 0) this.removeStatuses(h, p.statuses);
    this.purged += p.results + p.statuses;
  }

  buffered(h: number): { results: number; statuses: number } {
    return { results: Math.floor(this.results[h]!), statuses: Math.floor(this.status[h]!) };
  }
}
