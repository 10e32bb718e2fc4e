/** Server options from the environment: defaults < environment < flags, each variable checked like its flag. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_OPTIONS } from '../../server/options/schema.js';
import { serverOptionsFromFlags } from '../../server/options/resolve.js';

const ENV = {
  OSQSIM_INGEST_POOL_SIZE: '6',
  OSQSIM_INGEST_CONCURRENT_COMMITS: '5',
  OSQSIM_EDIT_CLEANUP_BATCH: '50',
  OSQSIM_EDIT_CLEANUP_PAUSE_FACTOR: '2.5',
  OSQSIM_API_TOKEN: 'from-env',
};

describe('osqsim server options from the environment', () => {
  it('uses each variable when its flag is not given', () => {
    expect(serverOptionsFromFlags({}, ENV)).toMatchObject({
      ingestPoolSize: 6,
      ingestConcurrentCommits: 5,
      cleanupBatchRows: 50,
      cleanupPauseFactor: 2.5,
      apiToken: 'from-env',
    });
  });

  it('lets a flag beat its variable', () => {
    const options = serverOptionsFromFlags(
      { ingestPoolSize: '3', ingestConcurrentCommits: '2', cleanupBatch: '7', cleanupPauseFactor: '0', apiToken: 'from-flag' },
      ENV,
    );
    expect(options).toMatchObject({ ingestPoolSize: 3, ingestConcurrentCommits: 2, cleanupBatchRows: 7, cleanupPauseFactor: 0, apiToken: 'from-flag' });
  });

  it('treats an empty variable or an empty --api-token as not given', () => {
    expect(serverOptionsFromFlags({}, { OSQSIM_INGEST_POOL_SIZE: '', OSQSIM_API_TOKEN: '' })).toEqual({ ...DEFAULT_SERVER_OPTIONS });
    expect(serverOptionsFromFlags({ apiToken: '' }, { OSQSIM_API_TOKEN: 'from-env' }).apiToken).toBe('from-env');
  });

  it('reads no variable for options that have none', () => {
    expect(serverOptionsFromFlags({}, { OSQSIM_PORT: '9999', OSQSIM_LOG_LEVEL: 'loud' })).toEqual({ ...DEFAULT_SERVER_OPTIONS });
  });

  it.each([
    [{ OSQSIM_INGEST_POOL_SIZE: 'lots' }, 'invalid option OSQSIM_INGEST_POOL_SIZE: "lots" is not a whole number'],
    [{ OSQSIM_INGEST_CONCURRENT_COMMITS: 'abc' }, 'invalid option OSQSIM_INGEST_CONCURRENT_COMMITS: "abc" is not a whole number'],
    [{ OSQSIM_EDIT_CLEANUP_BATCH: '0' }, 'invalid option OSQSIM_EDIT_CLEANUP_BATCH: 0 must be a whole number ≥ 1'],
    [{ OSQSIM_EDIT_CLEANUP_PAUSE_FACTOR: 'x' }, 'invalid option OSQSIM_EDIT_CLEANUP_PAUSE_FACTOR: "x" is not a number ≥ 0 (0.5, 1, 2)'],
  ])('rejects a bad value in %j naming the variable', (env, message) => {
    expect(() => serverOptionsFromFlags({}, env)).toThrowError(message);
  });

  it('names where each side of the pool check came from', () => {
    expect(() => serverOptionsFromFlags({ ingestPoolSize: '2' }, { OSQSIM_INGEST_CONCURRENT_COMMITS: '3' })).toThrowError(
      'invalid option OSQSIM_INGEST_CONCURRENT_COMMITS: 3 must be ≤ --ingest-pool-size (2): each commit in flight holds one ingest connection',
    );
  });
});
