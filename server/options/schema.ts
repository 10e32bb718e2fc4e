/**
 * The server's option table: one row per option with its flag, environment variable (if any),
 * value kind, default, check and help. Everything else is derived from it: the defaults, the flags
 * of `osqsim server` (cli/server.ts), the flag parser and the name in every validation message
 * (resolve.ts), the help text and the README's flag table (describe.ts). Like fastify's one options
 * schema (build/build-validation.js) and k6's consolidated config (cmd/config.go): defaults <
 * environment < flags.
 */
import { EDITED_POLICY_MODES, STATS_STRATEGIES } from '../../contract/vocabulary.js';
import { isLogLevel } from '../../lib/log.js';
import { unguardedListen } from './listen-guard.js';
import type { ServerOptions } from './options.js';
import * as kind from './value-kinds.js';
import type { ValueKind } from './value-kinds.js';

/**
 * A check on the resolved options: undefined when the value is fine, else the reason, which the
 * error prints after the option's name. `nameOf` names another option the way the user gave it.
 */
export type OptionCheck<T> = (value: T, options: ServerOptions, nameOf: (key: keyof ServerOptions) => string) => string | undefined;

export interface OptionRow<K extends keyof ServerOptions, F extends `--${string}` = `--${string}`> {
  readonly key: K;
  readonly flag: F;
  /** The flag's value in help: `<duration>`. */
  readonly placeholder: string;
  /** Read when the flag is not given (an empty value counts as not set). */
  readonly env?: `OSQSIM_${string}`;
  readonly kind: ValueKind<NonNullable<ServerOptions[K]>>;
  readonly default: ServerOptions[K];
  /** What the README says instead of a default value that tells a user nothing ("none", "generated at start"). */
  readonly defaultHelp?: string;
  readonly check?: OptionCheck<NonNullable<ServerOptions[K]>>;
  readonly help: string;
}

/** Any row of the table (for code that walks all of them). */
export type AnyOptionRow = { [K in keyof ServerOptions]-?: OptionRow<K> }[keyof ServerOptions];

function row<K extends keyof ServerOptions, const F extends `--${string}`>(definition: OptionRow<K, F>): OptionRow<K, F> {
  return definition;
}

/** `${value} ${reason}` unless `ok(value)`. */
function must<T>(ok: (value: T) => boolean, reason: string): OptionCheck<T> {
  return (value) => (ok(value) ? undefined : `${String(value)} ${reason}`);
}

const positive = must<number>((value) => value > 0, 'must be > 0');
const notNegative = must<number>((value) => value >= 0, 'must be ≥ 0');
const atLeastOne = must<number>((value) => Number.isInteger(value) && value >= 1, 'must be a whole number ≥ 1');
const agentSeconds = must<number>((value) => Number.isInteger(value) && value >= 1, 'must be a whole number of seconds ≥ 1');
const bodyLimit = must<number>((value) => Number.isInteger(value) && value >= 1024, 'must be at least 1024 bytes');

export const SERVER_OPTION_ROWS = [
  row({
    key: 'store', flag: '--store', placeholder: '<spec>', kind: kind.storeSpec, default: 'memory',
    check: (value) => (kind.storeSpec.parse(value, '--store'), undefined),
    help: 'memory, or mysql://user:pass@host:port/db',
  }),
  row({
    key: 'host', flag: '--host', placeholder: '<host>', kind: kind.text, default: '127.0.0.1',
    check: (value, options, nameOf) => unguardedListen(value, options, nameOf),
    help: 'address to listen on (a non-loopback address needs --api-token)',
  }),
  row({
    key: 'port', flag: '--port', placeholder: '<port>', kind: kind.wholeNumber, default: 8080,
    check: must((value) => Number.isInteger(value) && value >= 0 && value <= 65_535, 'must be a port number 0–65535'),
    help: 'port to listen on (0 = any free port)',
  }),
  row({
    key: 'enrollSecrets', flag: '--enroll-secret', placeholder: '<SECRET[:TEAM]>', kind: kind.enrollSecrets, default: [], defaultHelp: 'none',
    help: 'enroll secret, optionally for a team (created on demand); repeatable',
  }),
  row({
    key: 'policiesFile', flag: '--policies', placeholder: '<file.yml>', kind: kind.text, default: undefined, defaultHelp: 'none',
    help: 'fleetctl YAML applied at start: policies and reports (kind: report, or the deprecated kind: query), upsert by team + name, all or nothing',
  }),
  row({
    key: 'policyUpdateIntervalMs', flag: '--policy-update-interval', placeholder: '<duration>', kind: kind.durationMs, default: 3_600_000,
    check: positive, help: 'how often a host re-runs its policies',
  }),
  row({
    key: 'detailUpdateIntervalMs', flag: '--detail-update-interval', placeholder: '<duration>', kind: kind.durationMs, default: 3_600_000,
    check: positive, help: 'how often a host re-sends its details',
  }),
  row({
    key: 'labelUpdateIntervalMs', flag: '--label-update-interval', placeholder: '<duration>', kind: kind.durationMs, default: 3_600_000,
    check: positive, help: 'how often a host re-runs its label queries',
  }),
  row({
    key: 'maxJitterPercent', flag: '--max-jitter-percent', placeholder: '<pct>', kind: kind.wholeNumber, default: 10,
    check: must((value) => Number.isInteger(value) && value >= 0 && value <= 100, 'must be a whole percentage 0–100'),
    help: 'per-host jitter of the update intervals',
  }),
  row({
    key: 'distributedIntervalSeconds', flag: '--distributed-interval', placeholder: '<seconds>', kind: kind.wholeSeconds, default: 10,
    check: agentSeconds, help: 'agent option distributed_interval',
  }),
  row({
    key: 'loggerTlsPeriodSeconds', flag: '--logger-tls-period', placeholder: '<seconds>', kind: kind.wholeSeconds, default: 10,
    check: agentSeconds, help: 'agent option logger_tls_period',
  }),
  row({
    key: 'configRefreshSeconds', flag: '--config-refresh', placeholder: '<seconds>', kind: kind.wholeSeconds, default: 60,
    check: agentSeconds, help: 'agent option config_refresh',
  }),
  row({
    key: 'logLevel', flag: '--log-level', placeholder: '<level>', kind: kind.logLevel, default: 'info',
    check: (value) => (isLogLevel(value) ? undefined : `"${value}" is not a log level`),
    help: 'fatal, error, warn, info, debug, trace or silent',
  }),
  row({
    key: 'writeBodyLimitBytes', flag: '--write-body-limit', placeholder: '<size>', kind: kind.sizeBytes, default: 5 * 1024 * 1024,
    check: bodyLimit, help: 'distributed/write body limit',
  }),
  row({
    key: 'logBodyLimitBytes', flag: '--log-body-limit', placeholder: '<size>', kind: kind.sizeBytes, default: 10 * 1024 * 1024,
    check: bodyLimit, help: '/log body limit',
  }),
  row({
    key: 'queryReportCap', flag: '--query-report-cap', placeholder: '<rows>', kind: kind.wholeNumber, default: 1000,
    check: atLeastOne, help: "rows kept per scheduled query's report (Fleet's server_settings.query_report_cap)",
  }),
  row({
    key: 'bodyLimitBytes', flag: '--body-limit', placeholder: '<size>', kind: kind.sizeBytes, default: 1024 * 1024,
    check: bodyLimit, help: 'body limit of every other route',
  }),
  row({
    key: 'hostCacheTtlMs', flag: '--host-cache-ttl', placeholder: '<duration>', kind: kind.durationMs, default: 2_000,
    check: notNegative,
    help: 'hot-path cache age when the host change feed is not live (the feed polls the store every --host-feed-interval, so changes made elsewhere show within about that; entries then live up to --host-cache-max-age); 0 = no cache',
  }),
  row({
    key: 'hostFeedIntervalMs', flag: '--host-feed-interval', placeholder: '<duration>', kind: kind.durationMs, default: 1_000,
    check: notNegative, help: 'host change feed poll period (changes made elsewhere are seen within about this); 0 = no feed',
  }),
  row({
    key: 'hostCacheMaxAgeMs', flag: '--host-cache-max-age', placeholder: '<duration>', kind: kind.durationMs, default: 600_000,
    check: notNegative, help: 'hot-path cache entry age while the host change feed is live (a safety net)',
  }),
  row({
    key: 'seenFlushIntervalMs', flag: '--seen-flush-interval', placeholder: '<duration>', kind: kind.durationMs, default: 5_000,
    check: must((value) => value >= 100, 'must be at least 100ms'), help: 'how often last-seen times are written',
  }),
  row({
    key: 'ingestMaxBatchHosts', flag: '--ingest-max-batch', placeholder: '<hosts>', kind: kind.wholeNumber, default: 500,
    check: atLeastOne, help: 'group commit: hosts per batch',
  }),
  row({
    key: 'ingestMaxDelayMs', flag: '--ingest-max-delay', placeholder: '<duration>', kind: kind.durationMs, default: 5,
    check: must((value) => value >= 0 && value <= 1000, 'must be 0–1000 ms'), help: 'group commit: longest wait for a batch to fill',
  }),
  row({
    key: 'ingestPoolSize', flag: '--ingest-pool-size', placeholder: '<connections>', env: 'OSQSIM_INGEST_POOL_SIZE', kind: kind.wholeNumber, default: 4,
    check: atLeastOne, help: 'MySQL connections kept apart for ingest commits',
  }),
  row({
    // 4 in flight overlap their round trips and let InnoDB's group commit share one redo-log fsync:
    // 0.73–0.76 × a bare bulk upsert where 2 reached 0.49–0.50 (docs/BENCHMARKS.md).
    key: 'ingestConcurrentCommits', flag: '--ingest-concurrent-commits', placeholder: '<batches>', env: 'OSQSIM_INGEST_CONCURRENT_COMMITS', kind: kind.wholeNumber, default: 4,
    check: (value, options, nameOf) =>
      atLeastOne(value, options, nameOf) ??
      (value <= options.ingestPoolSize ? undefined : `${value} must be ≤ ${nameOf('ingestPoolSize')} (${options.ingestPoolSize}): each commit in flight holds one ingest connection`),
    help: 'group commit: batches committed at once (at most --ingest-pool-size)',
  }),
  row({
    key: 'statsStrategy', flag: '--stats-strategy', placeholder: '<name>', kind: kind.statsStrategy, default: 'cron',
    check: must((value) => STATS_STRATEGIES.includes(value), `is not a stats strategy (expected ${STATS_STRATEGIES.join(', ')})`),
    help: 'policy count strategy: cron, realtime or incremental',
  }),
  row({
    key: 'statsIntervalMs', flag: '--stats-interval', placeholder: '<duration>', kind: kind.durationMs, default: 3_600_000,
    check: positive, help: 'count strategy period (cron run, incremental reconcile)',
  }),
  row({
    key: 'cleanupBatchRows', flag: '--cleanup-batch', placeholder: '<rows>', env: 'OSQSIM_EDIT_CLEANUP_BATCH', kind: kind.wholeNumber, default: 500,
    check: atLeastOne, help: 'policy edit clean-up: old membership rows removed per batch',
  }),
  row({
    key: 'cleanupPauseFactor', flag: '--cleanup-pause-factor', placeholder: '<x>', env: 'OSQSIM_EDIT_CLEANUP_PAUSE_FACTOR', kind: kind.decimal, default: 1,
    check: must((value) => Number.isFinite(value) && value >= 0, 'must be a number ≥ 0'),
    help: 'policy edit clean-up: pause at least x × the last batch\'s time between batches',
  }),
  row({
    key: 'editedPolicies', flag: '--edited-policies', placeholder: '<mode>', env: 'OSQSIM_EDITED_POLICIES', kind: kind.editedPoliciesMode, default: 'fleet',
    check: must((value) => EDITED_POLICY_MODES.includes(value), `is not a mode (expected ${EDITED_POLICY_MODES.join(' or ')})`),
    help: 'edited policy (query or platforms): fleet = hosts re-run it at their normal policy interval, as Fleet; immediate = at their next read (a what-if)',
  }),
  row({
    key: 'tlsCertFile', flag: '--tls-cert', placeholder: '<file>', env: 'OSQSIM_TLS_CERT', kind: kind.text, default: undefined, defaultHelp: 'none (plain HTTP)',
    check: (_value, options, nameOf) => (options.tlsKeyFile === undefined ? `needs ${nameOf('tlsKeyFile')} (the certificate's private key)` : undefined),
    help: 'serve HTTPS with this PEM certificate (a chain may follow it); checked at start',
  }),
  row({
    key: 'tlsKeyFile', flag: '--tls-key', placeholder: '<file>', env: 'OSQSIM_TLS_KEY', kind: kind.text, default: undefined, defaultHelp: 'none',
    check: (_value, options, nameOf) => (options.tlsCertFile === undefined ? `needs ${nameOf('tlsCertFile')} (the certificate it belongs to)` : undefined),
    help: 'the unencrypted PEM private key of --tls-cert',
  }),
  row({
    key: 'tls', flag: '--tls', placeholder: '<self-signed[:DIR]>', kind: kind.tlsMode, default: undefined, defaultHelp: 'none (plain HTTP)',
    check: (value, options, nameOf) =>
      options.tlsCertFile !== undefined ? `${value} cannot be combined with ${nameOf('tlsCertFile')}: give one or the other` : undefined,
    help: 'serve HTTPS with a CA and certificate created in DIR (default: a new folder under the OS temp dir) or re-used from it; prints the osquery flags a real agent needs and writes them to DIR/osquery.flags',
  }),
  row({
    key: 'apiToken', flag: '--api-token', placeholder: '<token>', env: 'OSQSIM_API_TOKEN', kind: kind.token, default: undefined, defaultHelp: 'generated at start',
    help: 'REST API bearer token (generated and printed when absent)',
  }),
  row({
    key: 'allowNoApiToken', flag: '--allow-no-api-token', placeholder: '', env: 'OSQSIM_ALLOW_NO_API_TOKEN', kind: kind.onOff, default: false,
    help: 'start on a non-loopback --host without --api-token (a token is then generated and printed); without it such a server refuses to start',
  }),
] as const;

/** The table for code that walks every row. */
export const OPTION_ROWS: readonly AnyOptionRow[] = SERVER_OPTION_ROWS;

type TableRow = (typeof SERVER_OPTION_ROWS)[number];

/** Compile-time: every ServerOptions field has a row (an error here names the missing key). */
const everyOptionHasARow: Record<Exclude<keyof ServerOptions, TableRow['key']>, never> = {};
void everyOptionHasARow;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The raw flags of `osqsim server` as commander hands them over (`--ingest-max-batch` → ingestMaxBatch). */
export type ServerFlags = {
  [R in TableRow as R['flag'] extends `--${infer Name}` ? CamelCase<Name> : never]?: ServerOptions[R['key']] extends readonly unknown[]
    ? string[]
    : ServerOptions[R['key']] extends boolean ? boolean | string : string;
};

/** The property commander stores a flag's value under (its camelCase name). */
export function flagProperty(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function defaultsOf(rows: readonly AnyOptionRow[]): ServerOptions {
  const entries = rows.filter((each) => each.default !== undefined).map((each) => [each.key, each.default] as const);
  return Object.freeze(Object.fromEntries(entries)) as unknown as ServerOptions;
}

/** Fleet's defaults (reference fleet-policies.md §7) and osqsim's, from the table. */
export const DEFAULT_SERVER_OPTIONS: ServerOptions = defaultsOf(OPTION_ROWS);
