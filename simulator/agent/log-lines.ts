/**
 * The lines of a log request, built when a connection takes it: status lines as osquery's glog
 * forwarder writes them (plugins/logger/buffered.cpp, logStatus) and result lines in osquery's event
 * format (one line per snapshot run, one per added row of a differential query), named after the
 * scheduled query they come from. The simulator buffers line COUNTS per query, so a request's lines
 * are grouped by query rather than in the exact order the runs happened.
 */
import type { ScheduledQuery } from './schedule.js';

export function statusLine(identifier: string, atMs: number, version: string): string {
  const unix = Math.floor(atMs / 1000);
  const calendar = new Date(atMs).toUTCString();
  return `{"hostIdentifier":"${identifier}","calendarTime":"${calendar}","unixTime":"${unix}","severity":"0","filename":"scheduler.cpp","line":"83","message":"Executing scheduled query","version":"${version}"}`;
}

export function resultLine(identifier: string, atMs: number, query: ScheduledQuery | undefined): string {
  const unix = Math.floor(atMs / 1000);
  const calendar = new Date(atMs).toUTCString();
  const name = JSON.stringify(query?.name ?? 'osqsim_scheduled');
  const head = `{"name":${name},"hostIdentifier":"${identifier}","calendarTime":"${calendar}","unixTime":${unix},"epoch":0,"counter":0,"numerics":false`;
  return query === undefined || query.snapshot ? `${head},"snapshot":[{"value":"1"}],"action":"snapshot"}` : `${head},"columns":{"value":"1"},"action":"added"}`;
}

/** `lines` status lines. */
export function statusData(lines: number, identifier: string, atMs: number, version: string): string {
  return new Array<string>(lines).fill(statusLine(identifier, atMs, version)).join(',');
}

/** Result lines as (query index, count) pairs over the host's schedule; index -1: a query no longer scheduled. */
export function resultData(picks: readonly number[], identifier: string, atMs: number, schedule: readonly ScheduledQuery[]): string {
  const out: string[] = [];
  for (let i = 0; i < picks.length; i += 2) {
    const line = resultLine(identifier, atMs, schedule[picks[i]!]);
    for (let n = 0; n < picks[i + 1]!; n++) out.push(line);
  }
  return out.join(',');
}
