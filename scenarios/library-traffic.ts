/**
 * What a group's hosts add to the hourly traffic through labels and scheduled queries, estimated
 * from the scenario (pure; the plan multiplies these by hosts and cycles):
 * - label queries per label run: Fleet's built-in labels (all sent to every host) plus the
 *   scenario's dynamic labels whose platform matches the host's (server/store/label-rules.ts, as
 *   the server's labelQueriesForHost);
 * - scheduled-query results: the reports in the host's config (global, or its team's; platform
 *   matching) — a snapshot query logs one line per run carrying its rows; a differential one logs
 *   one line per added row, which for the simulator's static tables is every row on the first run and
 *   nothing after (simulator/agent/schedule.ts). Rows per run are estimated as the largest row count
 *   of the group's tables the query reads (FROM / JOIN); a query over tables the group lacks fails
 *   on the host and logs nothing.
 */
import type { LabelSpecBody, QuerySpecBody } from '../contract/fleet-rest.js';
import type { FleetGroupSpec } from '../contract/fleet-spec.js';
import { fleetPlatformOf } from '../contract/platforms.js';
import { BUILTIN_LABELS, labelPlatformMatches, labelPlatformOf } from '../server/store/label-rules.js';

/**
 * Label queries one host runs at each label run with no user labels: all of Fleet's built-in labels.
 * They carry platform '' (migration 20210330130314_UpdateBuiltinLabels), and Fleet's
 * LabelQueriesForHost sends a label whose platform is '' or the host's, so every host gets all 8.
 */
export const BUILTIN_LABEL_QUERIES_PER_HOST = BUILTIN_LABELS.length;

/**
 * Label queries per second of `hosts` running hosts that each run `labelsPerHost` label queries once
 * per `cycleS` (label_update_interval, plus the jitter and half a read interval when the caller models them).
 */
export function steadyLabelQueriesPerS(hosts: number, labelsPerHost: number, cycleS: number): number {
  return (hosts * labelsPerHost) / cycleS;
}

/** One host's result lines and rows per second from a snapshot query: one line per run carrying all its rows. */
export function snapshotResultsPerS(intervalS: number, rowsPerRun: number): { linesPerS: number; rowsPerS: number } {
  return { linesPerS: 1 / intervalS, rowsPerS: rowsPerRun / intervalS };
}

/** Label queries one host of the group runs at each label run. */
export function labelQueriesPerHost(group: Pick<FleetGroupSpec, 'platform' | 'os_version'>, labels: readonly LabelSpecBody[]): number {
  const hostPlatform = labelPlatformOf(group.platform, group.os_version);
  const dynamic = labels.filter((l) => (l.label_membership_type ?? ((l.query ?? '').trim() === '' ? 'manual' : 'dynamic')) === 'dynamic' && (l.query ?? '').trim() !== '');
  return BUILTIN_LABEL_QUERIES_PER_HOST + dynamic.filter((l) => labelPlatformMatches(l.platform ?? '', hostPlatform)).length;
}

/** Tables a query reads: the names after FROM and JOIN. */
function tablesOf(sql: string): string[] {
  return [...sql.matchAll(/\b(?:from|join)\s+([A-Za-z_][A-Za-z0-9_]*)/gi)].map((m) => m[1]!.toLowerCase());
}

/** Rows a query returns on the group's hosts (estimate); undefined when it reads a table the group lacks (it fails there). */
export function rowsPerRun(sql: string, tables: FleetGroupSpec['tables']): number | undefined {
  const names = tablesOf(sql);
  if (names.length === 0) return 1; // SELECT 1 and the like
  let rows = 0;
  for (const name of names) {
    const table = Object.entries(tables).find(([key]) => key.toLowerCase() === name)?.[1];
    if (table === undefined) return undefined;
    rows = Math.max(rows, table.length);
  }
  return rows;
}

export interface ReportTraffic {
  /** Reports in the group's hosts' config. */
  reports: number;
  /** Per host, steady state: result lines and rows logged per second (snapshot queries). */
  linesPerS: number;
  rowsPerS: number;
  /** Per host, once: the rows differential queries log on their first run. */
  firstRunRows: number;
}

export function reportTrafficPerHost(group: Pick<FleetGroupSpec, 'platform' | 'team' | 'tables'>, reports: readonly QuerySpecBody[]): ReportTraffic {
  const platform = fleetPlatformOf(group.platform);
  const inScope = reports.filter((r) => {
    const team = r.team ?? '';
    if (team !== '' && team !== group.team) return false;
    const platforms = (r.platform ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    return platforms.length === 0 || platforms.includes(platform);
  });
  let linesPerS = 0;
  let rowsPerS = 0;
  let firstRunRows = 0;
  for (const report of inScope) {
    const interval = report.interval ?? 0;
    if (interval <= 0) continue; // not scheduled
    const rows = rowsPerRun(report.query, group.tables);
    if (rows === undefined) continue; // fails on the host: nothing logged
    if ((report.logging ?? 'snapshot') === 'snapshot') {
      const snapshot = snapshotResultsPerS(interval, rows);
      linesPerS += snapshot.linesPerS;
      rowsPerS += snapshot.rowsPerS;
    } else {
      firstRunRows += rows;
    }
  }
  return { reports: inScope.length, linesPerS, rowsPerS, firstRunRows };
}
