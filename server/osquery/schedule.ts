/**
 * Scheduled queries on the osquery side: the `packs` of the config (Fleet's getPackConfig and
 * Query.ToQueryContent, server/service/osquery.go and server/fleet/queries.go) and the ingestion of
 * `log_type: "result"` logs into per-query reports (Fleet's SubmitResultLogs /
 * saveResultLogsToQueryReports). Query lists are cached per scope for `SCHEDULE_CACHE_TTL_MS` (Fleet
 * caches its pack config per instance for a minute; osqsim keeps the ≈ 1 s bound its other caches
 * have) and dropped at once when this instance changes a query.
 */
import type { Logger } from 'pino';
import type { BackgroundJob } from '../context.js';
import { GroupCommitter } from '../ingest/group-commit.js';
import type { Counter, MetricsRegistry } from '../metrics.js';
import { isScheduledForAgents, keepsReport } from '../store/query-rules.js';
import type { QueryResultWrite, QueryStore, ScheduledQuery } from '../store/store.js';
import { latestResultPerQuery, parsePackQueryName, parseResultLogEntries } from './result-logs.js';

export const SCHEDULE_CACHE_TTL_MS = 1_000;

/** Fleet's pack for global queries; team packs are `team-<id>`. */
export const GLOBAL_PACK = 'Global';
export const teamPackName = (teamId: number): string => `team-${teamId}`;

/** One query stanza of osquery's config (Fleet's fleet.QueryContent). */
export interface QueryContent {
  query: string;
  interval: number;
  platform: string;
  version: string;
  snapshot?: true;
  removed?: boolean;
}

/**
 * Fleet's Query.ToQueryContent: `platform` and `version` are always present (pointers to the
 * column, even when empty); snapshot logging sets `snapshot: true`; differential sets
 * `removed: true`; differential_ignore_removals sets `removed: false`.
 */
export function queryContent(query: ScheduledQuery): QueryContent {
  const content: QueryContent = { query: query.query, interval: query.interval, platform: query.platform, version: query.minOsqueryVersion };
  if (query.logging === 'snapshot') content.snapshot = true;
  else content.removed = query.logging === 'differential';
  return content;
}

/**
 * The `packs` value of a host's config: `Global` and the host's `team-<id>`, each only when it has
 * queries; undefined when neither has (Fleet then leaves `packs` out of the config).
 */
export function packsFor(
  teamId: number | null,
  global: readonly ScheduledQuery[],
  team: readonly ScheduledQuery[],
): Record<string, { queries: Record<string, QueryContent> }> | undefined {
  const packs: Record<string, { queries: Record<string, QueryContent> }> = {};
  const pack = (queries: readonly ScheduledQuery[]) => ({ queries: Object.fromEntries(queries.map((q) => [q.name, queryContent(q)])) });
  if (global.length > 0) packs[GLOBAL_PACK] = pack(global);
  if (teamId !== null && team.length > 0) packs[teamPackName(teamId)] = pack(team);
  return Object.keys(packs).length > 0 ? packs : undefined;
}

interface Entry<T> {
  readonly loadedAt: number;
  readonly value: Promise<T>;
}

/** Per-scope lists of queries (scheduled ones for the config, all of them to resolve result names). */
export class QueryScheduleCache {
  private readonly scheduled = new Map<string, Entry<ScheduledQuery[]>>();
  private readonly byName = new Map<string, Entry<Map<string, ScheduledQuery>>>();

  constructor(
    private readonly store: QueryStore,
    private readonly nowMs: () => number,
    private readonly ttlMs = SCHEDULE_CACHE_TTL_MS,
  ) {}

  invalidate(): void {
    this.scheduled.clear();
    this.byName.clear();
  }

  scheduledQueries(teamId: number | null): Promise<ScheduledQuery[]> {
    return this.cached(this.scheduled, teamId, () => this.store.scheduledQueries(teamId));
  }

  queriesByName(teamId: number | null): Promise<Map<string, ScheduledQuery>> {
    return this.cached(this.byName, teamId, async () => new Map((await this.store.listQueries(teamId)).map((q) => [q.name, q])));
  }

  private cached<T>(map: Map<string, Entry<T>>, teamId: number | null, load: () => Promise<T>): Promise<T> {
    const key = String(teamId);
    const now = this.nowMs();
    const entry = map.get(key);
    if (entry && now - entry.loadedAt < this.ttlMs) return entry.value;
    const value = load();
    map.set(key, { loadedAt: now, value });
    // A failed load is not kept: the next request tries again.
    value.catch(() => {
      if (map.get(key)?.value === value) map.delete(key);
    });
    return value;
  }
}

/** What happened to the result sets of one log request, by outcome (metrics, tests). */
export type ResultOutcome = 'stored' | 'over_cap' | 'unknown_query' | 'not_scheduled' | 'no_report' | 'unreadable' | 'store_failed';

export interface ResultLogSummary {
  /** This request's outcomes decided before the store (stored / over_cap are counted per commit, in the metrics). */
  readonly outcomes: Partial<Record<ResultOutcome, number>>;
}

/** Result sets per report commit, and commits running at once (each holds one pool connection). */
export const RESULT_COMMIT_MAX_BATCH = 200;
export const RESULT_COMMIT_CONCURRENCY = 2;

/**
 * Turns result logs into reports. Never throws for the agent's input: unreadable entries, unknown
 * queries and results the host was not scheduled to send are counted and ignored (an error would
 * make osquery re-send them forever); a store failure is logged and counted, as Fleet logs report
 * write failures and still answers 200. Concurrent requests' result sets share one transaction (a
 * group commit, as policy results: server/ingest/group-commit.ts); each request is answered after
 * the commit that carried its sets.
 */
export class ResultLogIngest implements BackgroundJob {
  readonly name = 'result-log-ingest';
  private readonly results: Counter;
  private readonly rows: Counter;
  private readonly committer: GroupCommitter<QueryResultWrite>;

  constructor(
    private readonly deps: {
      store: QueryStore;
      cache: QueryScheduleCache;
      log: Logger;
      metrics: MetricsRegistry;
      reportCap: number;
      maxDelayMs: number;
    },
  ) {
    this.results = deps.metrics.counter('osqsim_scheduled_query_results_total', 'Scheduled-query result sets received on /log, by outcome');
    this.rows = deps.metrics.counter('osqsim_scheduled_query_rows_total', 'Scheduled-query result rows received on /log, by query id (results of unknown queries are not counted here)');
    this.committer = new GroupCommitter<QueryResultWrite>(
      async (writes) => {
        const outcome = await deps.store.recordQueryResults(writes, deps.reportCap);
        this.count('stored', outcome.stored);
        this.count('over_cap', outcome.droppedOverCap);
        this.count('unknown_query', outcome.droppedUnknown);
      },
      {
        maxBatch: RESULT_COMMIT_MAX_BATCH,
        maxDelayMs: deps.maxDelayMs,
        maxConcurrent: RESULT_COMMIT_CONCURRENCY,
        // One host's sets are stored in arrival order (a later run replaces an earlier one).
        keyOf: (write) => write.hostId,
      },
    );
  }

  start(): void {}

  /** Commits what was submitted (server shutdown). */
  stop(): Promise<void> {
    return this.committer.flush();
  }

  private count(outcome: ResultOutcome, n = 1, into?: Partial<Record<ResultOutcome, number>>): void {
    if (n <= 0) return;
    if (into) into[outcome] = (into[outcome] ?? 0) + n;
    this.results.inc({ outcome }, n);
  }

  async ingest(host: { id: number; teamId: number | null }, data: readonly unknown[], now: Date): Promise<ResultLogSummary> {
    const outcomes: Partial<Record<ResultOutcome, number>> = {};
    const count = (outcome: ResultOutcome, n = 1): void => this.count(outcome, n, outcomes);
    const { entries, dropped } = parseResultLogEntries(data);
    count('unreadable', dropped);
    const writes: QueryResultWrite[] = [];
    // Every entry counts towards its query's rows; only the latest snapshot per query is stored.
    const resolved = new Map<string, ScheduledQuery | undefined>();
    const resolve = async (name: string): Promise<ScheduledQuery | undefined> => {
      if (resolved.has(name)) return resolved.get(name);
      const parsed = parsePackQueryName(name);
      let query: ScheduledQuery | undefined;
      // Fleet's dropResultsNotScheduledForHost: a known query of another team, or one that is not
      // in the schedule, is dropped; only Global and the host's own team pack are looked up.
      if (parsed && (parsed.teamId === null || parsed.teamId === host.teamId)) query = (await this.deps.cache.queriesByName(parsed.teamId)).get(parsed.queryName);
      resolved.set(name, query);
      return query;
    };
    for (const entry of entries) {
      const query = await resolve(entry.name);
      if (query) this.rows.inc({ query_id: String(query.id) }, entry.rows.length);
    }
    // One outcome per query named in the request.
    const latest = new Map(latestResultPerQuery(entries).map((set) => [set.name, set]));
    for (const [name, query] of resolved) {
      const set = latest.get(name);
      if (!query) count('unknown_query');
      else if (!isScheduledForAgents(query)) count('not_scheduled');
      else if (!keepsReport(query) || !set) count('no_report'); // differential logging, or discard_data
      else writes.push({ queryId: query.id, hostId: host.id, rows: set.rows, fetchedAt: now });
    }
    if (writes.length === 0) return { outcomes };
    // Stored (or dropped over the cap) outcomes are counted by the commit, for the whole batch.
    try {
      await Promise.all(writes.map((write) => this.committer.submit(write)));
    } catch (error) {
      count('store_failed', writes.length);
      this.deps.log.warn({ err: error, hostId: host.id, results: writes.length }, 'storing scheduled-query results failed; dropped');
    }
    return { outcomes };
  }
}
