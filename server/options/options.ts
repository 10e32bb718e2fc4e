/**
 * Server options: one typed, frozen object built once from CLI flags, the environment (or a
 * scenario) and Fleet's defaults (reference fleet-policies.md §7). Intervals are milliseconds
 * unless named *Seconds (osquery's agent options are whole seconds).
 */
import type { LevelWithSilent } from 'pino';

import type { EditedPoliciesMode, StatsStrategyName } from '../../contract/vocabulary.js';

export interface EnrollSecretOption {
  readonly secret: string;
  /** Team name; created on demand. undefined = global. */
  readonly team?: string;
}

export interface ServerOptions {
  /** 'memory' or mysql://user:pass@host:port/db */
  readonly store: string;
  readonly host: string;
  readonly port: number;
  readonly enrollSecrets: readonly EnrollSecretOption[];
  /** fleetctl YAML applied at start (upsert by team + name). */
  readonly policiesFile?: string;
  readonly policyUpdateIntervalMs: number;
  readonly detailUpdateIntervalMs: number;
  /** Fleet's osquery.label_update_interval (default 1 h). */
  readonly labelUpdateIntervalMs: number;
  readonly maxJitterPercent: number;
  readonly distributedIntervalSeconds: number;
  readonly loggerTlsPeriodSeconds: number;
  readonly configRefreshSeconds: number;
  readonly logLevel: LevelWithSilent;
  readonly writeBodyLimitBytes: number;
  readonly logBodyLimitBytes: number;
  readonly bodyLimitBytes: number;
  /** REST API bearer token; generated and printed at start when not given. */
  readonly apiToken?: string;
  /**
   * Listen on a non-loopback address without apiToken (a generated token is then printed). Off by
   * default: a server reachable from other machines must be given its token (server/options/listen-guard.ts).
   */
  readonly allowNoApiToken: boolean;
  readonly statsStrategy: StatsStrategyName;
  readonly statsIntervalMs: number;
  /**
   * Hot-path cache entry age while the host change feed is not live (not started, or the store
   * failing); 0 turns the cache off. See server/osquery/host-cache.ts for the staleness bound.
   */
  readonly hostCacheTtlMs: number;
  /** Host change feed poll period (changes elsewhere visible within ≈ this); 0 = no feed. */
  readonly hostFeedIntervalMs: number;
  /** Safety-net entry age while the change feed is live. */
  readonly hostCacheMaxAgeMs: number;
  /** Last-seen batch flush period. */
  readonly seenFlushIntervalMs: number;
  /** Group commit: flush when this many host results are queued … */
  readonly ingestMaxBatchHosts: number;
  /** Rows kept per scheduled query's report (Fleet's query_report_cap, default 1000). */
  readonly queryReportCap: number;
  /** … or this long after the first one joined. */
  readonly ingestMaxDelayMs: number;
  /** MySQL connections kept apart for ingest commits (the store's second pool). */
  readonly ingestPoolSize: number;
  /** Ingest batches committed at once; each holds one ingest connection, so ≤ ingestPoolSize. */
  readonly ingestConcurrentCommits: number;
  /** Edit clean-up: membership rows removed per batch (server/api/cleanup-job.ts). */
  readonly cleanupBatchRows: number;
  /** Edit clean-up: pause ≥ this × the last batch's time between batches. */
  readonly cleanupPauseFactor: number;
  /**
   * After a policy's query or platforms are edited, hosts re-run it at their normal policy
   * interval (`fleet`, Fleet's behaviour) or at their next read (`immediate`, a what-if).
   */
  readonly editedPolicies: EditedPoliciesMode;
  /** PEM certificate (chain) to serve HTTPS with; needs tlsKeyFile. */
  readonly tlsCertFile?: string;
  /** Its unencrypted PEM private key. */
  readonly tlsKeyFile?: string;
  /**
   * `self-signed` or `self-signed:DIR`: `osqsim server` creates a CA and a server certificate in DIR
   * (server/tls/self-signed.ts) and serves HTTPS with them. buildServer itself reads only the files.
   */
  readonly tls?: string;
}

