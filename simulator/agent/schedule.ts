/**
 * Scheduled queries as osquery reads them from its config (osquery 5.x): the `schedule` key (Fleet
 * puts its scheduled queries / reports there) and `packs` (legacy packs), each query with
 * `interval`, `snapshot`, `platform` and `version`; a pack's own `platform` and `version` apply to
 * all its queries (osquery/config/packs.cpp, Pack::initialize, checkPlatform, checkVersion).
 *
 * When a query runs (osquery/dispatcher/scheduler.cpp, SchedulerRunner::start): the time step `i` is
 * the Unix time in seconds and a query runs when `i % splayed_interval == 0`; the splayed interval is
 * drawn once per query, uniformly in interval ± `schedule_splay_percent` (10 %) (packs.cpp,
 * splayValue). So the runs of a host in (a, b] are floor(b / s) − floor(a / s), stateless.
 *
 * What a run logs (log_type result, event format): a snapshot query one line per run; a
 * differential query one line per added row, which for the simulator's static tables is every row on
 * the host's first run and nothing after. A query that fails (missing table, bad SQL) logs nothing.
 * Pack `discovery` queries and `removed`/`shard` options are not modelled.
 */
import { hashString, unitFloat } from '../../lib/rng.js';

export interface ScheduledQuery {
  /** The name result lines carry: the schedule key, or `pack<delimiter><pack><delimiter><query>`. */
  name: string;
  sql: string;
  intervalS: number;
  snapshot: boolean;
  /** osquery platform filter ("" = any): darwin, linux, windows, posix, freebsd, any, all; comma list. */
  platform: string;
  /** Minimum osquery version ("" = any). */
  version: string;
  /** Hash of the name (splay seed). */
  hash: number;
}

/** osquery's `pack_delimiter` default (packs.cpp); Fleet pushes "/" in its agent options. */
export const DEFAULT_PACK_DELIMITER = '_';
/** osquery's `schedule_splay_percent` default (packs.cpp). */
export const SPLAY_PERCENT = 10;

/** The scheduled queries of a config: `schedule`, then `packs` (non-object packs are paths: skipped). */
export function scheduledQueries(config: { schedule?: unknown; packs?: unknown }, delimiter = DEFAULT_PACK_DELIMITER): ScheduledQuery[] {
  const out: ScheduledQuery[] = [];
  const add = (name: string, q: unknown, packPlatform: string, packVersion: string): void => {
    if (typeof q !== 'object' || q === null) return;
    const query = q as Record<string, unknown>;
    const interval = Number(query.interval);
    const sql = typeof query.query === 'string' ? query.query : '';
    // packs.cpp: a query without a positive interval or without SQL is skipped.
    if (!Number.isFinite(interval) || interval < 1 || sql === '') return;
    const snapshot = query.snapshot === true || query.snapshot === 'true';
    const platform = typeof query.platform === 'string' && query.platform !== '' ? query.platform : packPlatform;
    const version = typeof query.version === 'string' && query.version !== '' ? query.version : packVersion;
    out.push({ name, sql, intervalS: Math.floor(interval), snapshot, platform, version, hash: hashString(name) });
  };
  if (isObject(config.schedule)) for (const [name, q] of Object.entries(config.schedule)) add(name, q, '', '');
  if (isObject(config.packs)) {
    for (const [packName, pack] of Object.entries(config.packs)) {
      if (!isObject(pack) || !isObject(pack.queries)) continue;
      const platform = typeof pack.platform === 'string' ? pack.platform : '';
      const version = typeof pack.version === 'string' ? pack.version : '';
      for (const [name, q] of Object.entries(pack.queries)) add(`pack${delimiter}${packName}${delimiter}${name}`, q, platform, version);
    }
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fleet's platform (darwin, ubuntu, rhel, windows, …) as osquery's platform families. */
function platformFamilies(fleetPlatform: string): string[] {
  if (fleetPlatform === 'darwin') return ['darwin', 'posix'];
  if (fleetPlatform === 'windows') return ['windows'];
  if (fleetPlatform === 'freebsd') return ['freebsd', 'posix'];
  return ['linux', 'posix'];
}

/** osquery's checkPlatform: "" / any / all match everything; otherwise a comma list of families. */
export function platformMatches(filter: string, fleetPlatform: string): boolean {
  if (filter === '' || filter === 'null') return true;
  const families = platformFamilies(fleetPlatform);
  return filter.split(',').some((p) => {
    const t = p.trim();
    return t === 'any' || t === 'all' || families.includes(t);
  });
}

/** osquery's versionAtLeast(required, running): dotted numeric comparison. */
export function versionAtLeast(required: string, running: string): boolean {
  if (required === '' || required === 'null') return true;
  const a = required.split('.').map((x) => parseInt(x, 10) || 0);
  const b = running.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** The host's splayed interval of a query, in seconds: uniform in interval ± 10 % (at least 1). */
export function splayedIntervalS(q: ScheduledQuery, seed: number, hostIndex: number): number {
  const diff = Math.floor((q.intervalS * SPLAY_PERCENT) / 100);
  const min = Math.max(1, q.intervalS - diff);
  const max = q.intervalS + diff;
  if (max === min) return max;
  return min + Math.floor(unitFloat(seed, hostIndex, q.hash, 0x5b1a) * (max - min + 1));
}

/** Runs of a query every `everyS` seconds of Unix time in (fromMs, toMs]. */
export function runsBetween(everyS: number, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  return Math.floor(toMs / 1000 / everyS) - Math.floor(fromMs / 1000 / everyS);
}

/** What one host's group answers to a scheduled query: lines per run, and on the first run. */
export interface ScheduledAnswer {
  /** 0 when the query does not run on this group (platform, version) or fails. */
  linesPerRun: number;
  linesFirstRun: number;
}

export function scheduledAnswer(q: ScheduledQuery, group: { platform: string; osquery_version: string }, sqlAnswer: (sql: string) => { status: number; rowCount: number }): ScheduledAnswer {
  if (!platformMatches(q.platform, group.platform) || !versionAtLeast(q.version, group.osquery_version)) return { linesPerRun: 0, linesFirstRun: 0 };
  const answer = sqlAnswer(q.sql);
  if (answer.status !== 0) return { linesPerRun: 0, linesFirstRun: 0 };
  return q.snapshot ? { linesPerRun: 1, linesFirstRun: 1 } : { linesPerRun: 0, linesFirstRun: answer.rowCount };
}
