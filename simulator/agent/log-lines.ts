/**
 * The lines of a log request, built when a connection takes it: status lines as osquery's glog
 * forwarder writes them (plugins/logger/buffered.cpp, logStatus) and result lines in osquery's event
 * format (one line per snapshot run, one per added row of a differential query), named after the
 * host's scheduled queries in turn. The simulator buffers line COUNTS, so the lines of one request
 * are drawn from the schedule round-robin rather than in the exact order the runs happened.
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

/** `lines` lines of one type; result lines cycle over the queries that log on this host. */
export function logData(type: 'status' | 'result', lines: number, identifier: string, atMs: number, version: string, queries: readonly ScheduledQuery[]): string {
  if (type === 'status') return new Array<string>(lines).fill(statusLine(identifier, atMs, version)).join(',');
  if (queries.length === 0) return new Array<string>(lines).fill(resultLine(identifier, atMs, undefined)).join(',');
  const distinct = queries.map((q) => resultLine(identifier, atMs, q));
  const out = new Array<string>(lines);
  for (let i = 0; i < lines; i++) out[i] = distinct[i % distinct.length]!;
  return out.join(',');
}
