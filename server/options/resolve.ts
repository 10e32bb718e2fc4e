/**
 * Server options from CLI flags (strings) or from code (a partial object): validated once, merged
 * with Fleet's defaults (server/options.ts), frozen. Every problem names the flag it came from.
 */
import { osqsimError } from '../../lib/errors.js';
import { isLogLevel } from '../../lib/log.js';
import { parseDurationMs, parseDurationSeconds, parseSizeBytes } from '../../lib/units.js';
import { DEFAULT_SERVER_OPTIONS, type EnrollSecretOption, type ServerOptions } from './options.js';
import { STATS_STRATEGIES, type StatsStrategyName } from '../../contract/vocabulary.js';

/** The raw flags of `osqsim server` as commander hands them over. */
export interface ServerFlags {
  store?: string;
  host?: string;
  port?: string;
  enrollSecret?: string[];
  policies?: string;
  policyUpdateInterval?: string;
  detailUpdateInterval?: string;
  maxJitterPercent?: string;
  distributedInterval?: string;
  loggerTlsPeriod?: string;
  configRefresh?: string;
  logLevel?: string;
  writeBodyLimit?: string;
  logBodyLimit?: string;
  bodyLimit?: string;
  apiToken?: string;
  statsStrategy?: string;
  statsInterval?: string;
  hostCacheTtl?: string;
  seenFlushInterval?: string;
  ingestMaxBatch?: string;
  ingestMaxDelay?: string;
}

function invalid(option: string, reason: string): Error {
  return osqsimError('CLI_INVALID_OPTION', { option, reason });
}

export function validateStoreSpec(value: string): string {
  if (value === 'memory') return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw osqsimError('CLI_INVALID_STORE', { value });
  }
  if (url.protocol !== 'mysql:' || url.hostname === '' || url.pathname.replace(/^\//, '') === '') {
    throw osqsimError('CLI_INVALID_STORE', { value });
  }
  return value;
}

/** `SECRET` or `SECRET:TEAM` (the team is created on demand). */
export function parseEnrollSecret(text: string): EnrollSecretOption {
  const colon = text.indexOf(':');
  const secret = (colon < 0 ? text : text.slice(0, colon)).trim();
  const team = colon < 0 ? undefined : text.slice(colon + 1).trim();
  if (secret === '') throw invalid('--enroll-secret', `"${text}" has an empty secret (expected SECRET or SECRET:TEAM)`);
  if (team !== undefined && team === '') throw invalid('--enroll-secret', `"${text}" has an empty team name`);
  return team === undefined ? { secret } : { secret, team };
}

function wholeSeconds(option: string, value: string): number {
  let seconds: number;
  try {
    seconds = parseDurationSeconds(value);
  } catch {
    throw invalid(option, `"${value}" is not a duration (10, 10s, 5m)`);
  }
  if (!Number.isInteger(seconds) || seconds < 1) throw invalid(option, `"${value}" must be a whole number of seconds ≥ 1`);
  return seconds;
}

function duration(option: string, value: string): number {
  try {
    return parseDurationMs(value);
  } catch {
    throw invalid(option, `"${value}" is not a duration (500ms, 10s, 5m, 1h)`);
  }
}

function size(option: string, value: string): number {
  try {
    return parseSizeBytes(value);
  } catch {
    throw invalid(option, `"${value}" is not a size (1048576, 512KiB, 5MiB)`);
  }
}

function integer(option: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw invalid(option, `"${value}" is not a whole number`);
  return Number(value);
}

/** `osqsim server` flags → validated, frozen options. Throws CLI_* errors (exit code 2). */
export function serverOptionsFromFlags(flags: ServerFlags): ServerOptions {
  const partial: { -readonly [K in keyof ServerOptions]?: ServerOptions[K] } = {};
  if (flags.store !== undefined) partial.store = validateStoreSpec(flags.store);
  if (flags.host !== undefined) partial.host = flags.host;
  if (flags.port !== undefined) partial.port = integer('--port', flags.port);
  if (flags.enrollSecret !== undefined) partial.enrollSecrets = flags.enrollSecret.map(parseEnrollSecret);
  if (flags.policies !== undefined) partial.policiesFile = flags.policies;
  if (flags.policyUpdateInterval !== undefined) partial.policyUpdateIntervalMs = duration('--policy-update-interval', flags.policyUpdateInterval);
  if (flags.detailUpdateInterval !== undefined) partial.detailUpdateIntervalMs = duration('--detail-update-interval', flags.detailUpdateInterval);
  if (flags.maxJitterPercent !== undefined) partial.maxJitterPercent = integer('--max-jitter-percent', flags.maxJitterPercent);
  if (flags.distributedInterval !== undefined) partial.distributedIntervalSeconds = wholeSeconds('--distributed-interval', flags.distributedInterval);
  if (flags.loggerTlsPeriod !== undefined) partial.loggerTlsPeriodSeconds = wholeSeconds('--logger-tls-period', flags.loggerTlsPeriod);
  if (flags.configRefresh !== undefined) partial.configRefreshSeconds = wholeSeconds('--config-refresh', flags.configRefresh);
  if (flags.logLevel !== undefined) {
    if (!isLogLevel(flags.logLevel)) throw invalid('--log-level', `"${flags.logLevel}" (expected fatal, error, warn, info, debug, trace or silent)`);
    partial.logLevel = flags.logLevel;
  }
  if (flags.writeBodyLimit !== undefined) partial.writeBodyLimitBytes = size('--write-body-limit', flags.writeBodyLimit);
  if (flags.logBodyLimit !== undefined) partial.logBodyLimitBytes = size('--log-body-limit', flags.logBodyLimit);
  if (flags.bodyLimit !== undefined) partial.bodyLimitBytes = size('--body-limit', flags.bodyLimit);
  if (flags.apiToken !== undefined && flags.apiToken !== '') partial.apiToken = flags.apiToken;
  if (flags.statsStrategy !== undefined) partial.statsStrategy = flags.statsStrategy as StatsStrategyName;
  if (flags.statsInterval !== undefined) partial.statsIntervalMs = duration('--stats-interval', flags.statsInterval);
  if (flags.hostCacheTtl !== undefined) partial.hostCacheTtlMs = duration('--host-cache-ttl', flags.hostCacheTtl);
  if (flags.seenFlushInterval !== undefined) partial.seenFlushIntervalMs = duration('--seen-flush-interval', flags.seenFlushInterval);
  if (flags.ingestMaxBatch !== undefined) partial.ingestMaxBatchHosts = integer('--ingest-max-batch', flags.ingestMaxBatch);
  if (flags.ingestMaxDelay !== undefined) partial.ingestMaxDelayMs = duration('--ingest-max-delay', flags.ingestMaxDelay);
  return resolveServerOptions(partial);
}

const OPTION_FLAG: Partial<Record<keyof ServerOptions, string>> = {
  port: '--port',
  policyUpdateIntervalMs: '--policy-update-interval',
  detailUpdateIntervalMs: '--detail-update-interval',
  maxJitterPercent: '--max-jitter-percent',
  distributedIntervalSeconds: '--distributed-interval',
  loggerTlsPeriodSeconds: '--logger-tls-period',
  configRefreshSeconds: '--config-refresh',
  writeBodyLimitBytes: '--write-body-limit',
  logBodyLimitBytes: '--log-body-limit',
  bodyLimitBytes: '--body-limit',
  statsIntervalMs: '--stats-interval',
  hostCacheTtlMs: '--host-cache-ttl',
  seenFlushIntervalMs: '--seen-flush-interval',
  ingestMaxBatchHosts: '--ingest-max-batch',
  ingestMaxDelayMs: '--ingest-max-delay',
};

/** Defaults + the given options, checked and frozen (buildServer calls this too). */
export function resolveServerOptions(partial: Partial<ServerOptions>): ServerOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<ServerOptions>;
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...defined };
  const name = (key: keyof ServerOptions): string => OPTION_FLAG[key] ?? `options.${key}`;
  const check = (key: keyof ServerOptions, ok: boolean, reason: string): void => {
    if (!ok) throw invalid(name(key), `${String(options[key])} ${reason}`);
  };
  validateStoreSpec(options.store);
  check('port', Number.isInteger(options.port) && options.port >= 0 && options.port <= 65_535, 'must be a port number 0–65535');
  check('policyUpdateIntervalMs', options.policyUpdateIntervalMs > 0, 'must be > 0');
  check('detailUpdateIntervalMs', options.detailUpdateIntervalMs > 0, 'must be > 0');
  check('maxJitterPercent', Number.isInteger(options.maxJitterPercent) && options.maxJitterPercent >= 0 && options.maxJitterPercent <= 100, 'must be a whole percentage 0–100');
  for (const key of ['distributedIntervalSeconds', 'loggerTlsPeriodSeconds', 'configRefreshSeconds'] as const) {
    check(key, Number.isInteger(options[key]) && options[key] >= 1, 'must be a whole number of seconds ≥ 1');
  }
  for (const key of ['writeBodyLimitBytes', 'logBodyLimitBytes', 'bodyLimitBytes'] as const) {
    check(key, Number.isInteger(options[key]) && options[key] >= 1024, 'must be at least 1024 bytes');
  }
  check('statsStrategy', STATS_STRATEGIES.includes(options.statsStrategy), `is not a stats strategy (expected ${STATS_STRATEGIES.join(', ')})`);
  check('statsIntervalMs', options.statsIntervalMs > 0, 'must be > 0');
  check('hostCacheTtlMs', options.hostCacheTtlMs >= 0, 'must be ≥ 0');
  check('hostFeedIntervalMs', options.hostFeedIntervalMs >= 0, 'must be ≥ 0');
  check('hostCacheMaxAgeMs', options.hostCacheMaxAgeMs >= 0, 'must be ≥ 0');
  check('seenFlushIntervalMs', options.seenFlushIntervalMs >= 100, 'must be at least 100ms');
  check('ingestMaxBatchHosts', Number.isInteger(options.ingestMaxBatchHosts) && options.ingestMaxBatchHosts >= 1, 'must be a whole number ≥ 1');
  check('ingestMaxDelayMs', options.ingestMaxDelayMs >= 0 && options.ingestMaxDelayMs <= 1000, 'must be 0–1000 ms');
  if (!isLogLevel(options.logLevel)) throw invalid('--log-level', `"${options.logLevel}" is not a log level`);
  return Object.freeze({ ...options, enrollSecrets: Object.freeze([...options.enrollSecrets]) });
}
