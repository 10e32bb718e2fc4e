import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_OPTIONS } from '../../server/options/schema.js';
import { parseEnrollSecret, resolveServerOptions, serverOptionsFromFlags } from '../../server/options/resolve.js';

describe('osqsim server flags → options', () => {
  it('defaults to Fleet\'s values', () => {
    const options = serverOptionsFromFlags({}, {});
    expect(options).toEqual({ ...DEFAULT_SERVER_OPTIONS });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('parses every flag', () => {
    const options = serverOptionsFromFlags({
      store: 'mysql://root:pw@127.0.0.1:3306/osqsim',
      host: '0.0.0.0',
      port: '9000',
      enrollSecret: ['s1', 's2:Engineering'],
      policies: 'p.yml',
      policyUpdateInterval: '30m',
      detailUpdateInterval: '2h',
      maxJitterPercent: '20',
      distributedInterval: '15',
      loggerTlsPeriod: '1m',
      configRefresh: '120s',
      logLevel: 'warn',
      writeBodyLimit: '2MiB',
      logBodyLimit: '4MiB',
      bodyLimit: '64KiB',
      apiToken: 'tok',
      statsStrategy: 'incremental',
      statsInterval: '5m',
      hostCacheTtl: '500ms',
      seenFlushInterval: '2s',
      ingestMaxBatch: '50',
      ingestMaxDelay: '2ms',
      hostFeedInterval: '250ms',
      hostCacheMaxAge: '5m',
      ingestPoolSize: '8',
      ingestConcurrentCommits: '6',
      cleanupBatch: '200',
      cleanupPauseFactor: '0.5',
    }, {});
    expect(options).toMatchObject({
      store: 'mysql://root:pw@127.0.0.1:3306/osqsim',
      host: '0.0.0.0',
      port: 9000,
      enrollSecrets: [{ secret: 's1' }, { secret: 's2', team: 'Engineering' }],
      policiesFile: 'p.yml',
      policyUpdateIntervalMs: 1_800_000,
      detailUpdateIntervalMs: 7_200_000,
      maxJitterPercent: 20,
      distributedIntervalSeconds: 15,
      loggerTlsPeriodSeconds: 60,
      configRefreshSeconds: 120,
      logLevel: 'warn',
      writeBodyLimitBytes: 2 * 1024 * 1024,
      logBodyLimitBytes: 4 * 1024 * 1024,
      bodyLimitBytes: 64 * 1024,
      apiToken: 'tok',
      statsStrategy: 'incremental',
      statsIntervalMs: 300_000,
      hostCacheTtlMs: 500,
      seenFlushIntervalMs: 2000,
      ingestMaxBatchHosts: 50,
      ingestMaxDelayMs: 2,
      hostFeedIntervalMs: 250,
      hostCacheMaxAgeMs: 300_000,
      ingestPoolSize: 8,
      ingestConcurrentCommits: 6,
      cleanupBatchRows: 200,
      cleanupPauseFactor: 0.5,
    });
  });

  it.each([
    [{ port: 'abc' }, '--port'],
    [{ port: '70000' }, '--port'],
    [{ policyUpdateInterval: '1x' }, '--policy-update-interval'],
    [{ policyUpdateInterval: '0s' }, '--policy-update-interval'],
    [{ maxJitterPercent: '-1' }, '--max-jitter-percent'],
    [{ maxJitterPercent: '101' }, '--max-jitter-percent'],
    [{ distributedInterval: '0' }, '--distributed-interval'],
    [{ distributedInterval: '1.5s' }, '--distributed-interval'],
    [{ logLevel: 'loud' }, '--log-level'],
    [{ writeBodyLimit: 'huge' }, '--write-body-limit'],
    [{ statsStrategy: 'magic' }, '--stats-strategy'],
    [{ enrollSecret: [':team'] }, '--enroll-secret'],
    [{ enrollSecret: ['secret:'] }, '--enroll-secret'],
    [{ ingestMaxBatch: '0' }, '--ingest-max-batch'],
    [{ hostFeedInterval: 'often' }, '--host-feed-interval'],
    [{ ingestPoolSize: 'four' }, '--ingest-pool-size'],
    [{ ingestPoolSize: '0' }, '--ingest-pool-size'],
    [{ ingestConcurrentCommits: '2.5' }, '--ingest-concurrent-commits'],
    [{ ingestConcurrentCommits: '0' }, '--ingest-concurrent-commits'],
    [{ cleanupBatch: '0' }, '--cleanup-batch'],
    [{ cleanupBatch: '-5' }, '--cleanup-batch'],
    [{ cleanupPauseFactor: 'slow' }, '--cleanup-pause-factor'],
    [{ cleanupPauseFactor: '-1' }, '--cleanup-pause-factor'],
    [{ editedPolicies: 'later' }, '--edited-policies'],
  ])('rejects %j naming %s', (flags, option) => {
    expect(() => serverOptionsFromFlags(flags, {})).toThrowError(
      expect.objectContaining({ code: 'CLI_INVALID_OPTION', message: expect.stringContaining(option) }),
    );
  });

  it('edited policies: fleet by default (Fleet\'s behaviour), immediate from the flag or OSQSIM_EDITED_POLICIES', () => {
    expect(DEFAULT_SERVER_OPTIONS.editedPolicies).toBe('fleet');
    expect(serverOptionsFromFlags({}, {}).editedPolicies).toBe('fleet');
    expect(serverOptionsFromFlags({ editedPolicies: 'immediate' }, {}).editedPolicies).toBe('immediate');
    expect(serverOptionsFromFlags({}, { OSQSIM_EDITED_POLICIES: 'immediate' }).editedPolicies).toBe('immediate');
    expect(() => serverOptionsFromFlags({}, { OSQSIM_EDITED_POLICIES: 'soon' })).toThrowError(/soon is not a mode \(expected fleet or immediate\)/);
  });

  it.each(['foo', 'mysql://', 'postgres://u@h/db', 'mysql://root@127.0.0.1:3306/'])('rejects store %s', (store) => {
    expect(() => serverOptionsFromFlags({ store })).toThrowError(expect.objectContaining({ code: 'CLI_INVALID_STORE' }));
  });

  it('parses SECRET and SECRET:TEAM', () => {
    expect(parseEnrollSecret('abc')).toEqual({ secret: 'abc' });
    expect(parseEnrollSecret('abc:Team One')).toEqual({ secret: 'abc', team: 'Team One' });
  });

  it('keeps ingest commits in flight within the ingest pool, and says why', () => {
    expect(serverOptionsFromFlags({ ingestPoolSize: '8', ingestConcurrentCommits: '8' }, {})).toMatchObject({ ingestPoolSize: 8, ingestConcurrentCommits: 8 });
    expect(() => serverOptionsFromFlags({ ingestConcurrentCommits: '6' }, {})).toThrowError(
      'invalid option --ingest-concurrent-commits: 6 must be ≤ --ingest-pool-size (4): each commit in flight holds one ingest connection',
    );
    expect(() => resolveServerOptions({ ingestPoolSize: 2, ingestConcurrentCommits: 3 })).toThrowError(/--ingest-concurrent-commits: 3 must be ≤ --ingest-pool-size \(2\)/);
  });

  it('resolveServerOptions ignores undefined values and validates code-given options', () => {
    expect(resolveServerOptions({ port: undefined }).port).toBe(8080);
    expect(() => resolveServerOptions({ hostCacheTtlMs: -1 })).toThrowError(expect.objectContaining({ code: 'CLI_INVALID_OPTION' }));
    expect(() => resolveServerOptions({ cleanupPauseFactor: Number.NaN })).toThrowError('invalid option --cleanup-pause-factor: NaN must be a number ≥ 0');
    expect(() => resolveServerOptions({ cleanupBatchRows: 1.5 })).toThrowError('invalid option --cleanup-batch: 1.5 must be a whole number ≥ 1');
  });
});
