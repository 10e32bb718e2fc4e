/**
 * Scheduled queries ("reports" in Fleet 2026) and their stored results: the records the QueryStore
 * role hands out. Field meanings follow Fleet's `fleet.Query` (server/fleet/queries.go) and the
 * `queries` / `query_results` tables (server/datastore/mysql/schema.sql).
 */

/** Fleet's logging types (server/fleet/queries.go LoggingSnapshot, LoggingDifferential, …). */
export const QUERY_LOGGING_TYPES = ['snapshot', 'differential', 'differential_ignore_removals'] as const;
export type QueryLogging = (typeof QUERY_LOGGING_TYPES)[number];

/**
 * Fleet's per-query report cap when `server_settings.query_report_cap` is unset
 * (DefaultMaxQueryReportRows, server/fleet/app.go).
 */
export const DEFAULT_QUERY_REPORT_CAP = 1000;

export interface ScheduledQuery {
  readonly id: number;
  /** null = global (Fleet's "Global" pack); otherwise the team's (pack "team-<id>"). */
  readonly teamId: number | null;
  readonly name: string;
  readonly description: string;
  readonly query: string;
  /** Seconds between runs on each host; 0 = not scheduled (Fleet's schedule_interval). */
  readonly interval: number;
  /** Comma list of darwin, linux, windows, chrome; '' = all. */
  readonly platform: string;
  readonly minOsqueryVersion: string;
  readonly automationsEnabled: boolean;
  readonly logging: QueryLogging;
  readonly discardData: boolean;
  readonly observerCanRun: boolean;
  readonly authorId: number | null;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A new query: absent fields take Fleet's create defaults (logging snapshot, discard_data false). */
export interface QueryInput {
  readonly teamId: number | null;
  readonly name: string;
  readonly query: string;
  readonly description?: string;
  readonly interval?: number;
  readonly platform?: string;
  readonly minOsqueryVersion?: string;
  readonly automationsEnabled?: boolean;
  readonly logging?: QueryLogging;
  readonly discardData?: boolean;
  readonly observerCanRun?: boolean;
}

/** PATCH: only the given fields change (the team never does, as Fleet's ModifyQuery). */
export type QueryPatch = { -readonly [K in Exclude<keyof QueryInput, 'teamId'>]?: QueryInput[K] };

export interface QueryUpdateResult {
  readonly query: ScheduledQuery;
  /** The edit made the stored results stale and they were deleted (Fleet's shouldDiscardQueryResults). */
  readonly resultsDiscarded: boolean;
}

/** One host's latest result set for one query (a snapshot: it replaces the host's earlier rows). */
export interface QueryResultWrite {
  readonly queryId: number;
  readonly hostId: number;
  readonly rows: ReadonlyArray<Readonly<Record<string, string>>>;
  readonly fetchedAt: Date;
}

export interface QueryResultsOutcome {
  /** Host result sets stored (their previous rows replaced). */
  readonly stored: number;
  /** Rows inserted (an empty result stores one row without data, to record last_fetched). */
  readonly rowsInserted: number;
  /** Host result sets dropped because of the cap (too many rows, or the query's report is full). */
  readonly droppedOverCap: number;
  /** Host result sets for a query or host that does not exist (deleted meanwhile): ignored. */
  readonly droppedUnknown: number;
}

/** A stored report row (query_results): `data` null records a run that returned no rows. */
export interface QueryResultRow {
  readonly queryId: number;
  readonly hostId: number;
  readonly lastFetched: Date;
  readonly data: Readonly<Record<string, string>> | null;
}
