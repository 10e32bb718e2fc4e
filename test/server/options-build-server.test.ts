/**
 * buildServer takes the ingest and edit clean-up settings from its options and reads no environment
 * variable: createStore gets ingestPoolSize, the ingest committer ingestConcurrentCommits, the
 * clean-up job cleanupBatchRows, whatever OSQSIM_* says.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildServer, type OsqsimServer } from '../../server/app.js';
import { cleanupJobOf } from '../../server/api/index.js';
import { PolicyIngest } from '../../server/ingest/policy-ingest.js';
import { createStore, MemoryStore } from '../../server/store/index.js';
import type { Store } from '../../server/store/store.js';

vi.mock('../../server/store/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../server/store/index.js')>();
  return { ...original, createStore: vi.fn(original.createStore) };
});

/** Values the environment variables would have set, had the server read them. */
const MISLEADING_ENV = {
  OSQSIM_INGEST_POOL_SIZE: '9',
  OSQSIM_INGEST_CONCURRENT_COMMITS: '1',
  OSQSIM_EDIT_CLEANUP_BATCH: '1',
  OSQSIM_EDIT_CLEANUP_PAUSE_FACTOR: '0',
  OSQSIM_API_TOKEN: 'from-env',
};

async function enrolledHosts(store: Store, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const identity = { osqueryHostId: `h${i}`, platform: 'darwin', hostname: `h${i}`, uuid: `u${i}`, hardwareSerial: '', osVersion: '', osqueryVersion: '' };
    ids.push((await store.enrollHost(identity, `nk${i}`, null, new Date())).host.id);
  }
  return ids;
}

describe('buildServer options without the environment', () => {
  let server: OsqsimServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    vi.unstubAllEnvs();
  });

  function stubEnv(): void {
    for (const [name, value] of Object.entries(MISLEADING_ENV)) vi.stubEnv(name, value);
  }

  it('opens the store with ingestPoolSize from the options (default 4)', async () => {
    stubEnv();
    server = await buildServer({ store: 'memory', logLevel: 'silent', ingestPoolSize: 2, ingestConcurrentCommits: 2 });
    expect(createStore).toHaveBeenLastCalledWith('memory', { ingestPoolSize: 2 });
    await server.close();
    server = await buildServer({ store: 'memory', logLevel: 'silent' });
    expect(createStore).toHaveBeenLastCalledWith('memory', { ingestPoolSize: 4 });
    expect(server.context.options).toMatchObject({ ingestPoolSize: 4, ingestConcurrentCommits: 4, cleanupBatchRows: 500, cleanupPauseFactor: 1 });
    expect(server.context.options.apiToken).toBeUndefined();
  });

  it('commits at most ingestConcurrentCommits ingest batches at once', async () => {
    stubEnv();
    const memory = new MemoryStore();
    const hostIds = await enrolledHosts(memory, 6);
    let inFlight = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const store = new Proxy(memory, {
      get(target, property) {
        if (property === 'recordPolicyResults') {
          return async (...args: Parameters<Store['recordPolicyResults']>) => {
            inFlight += 1;
            most = Math.max(most, inFlight);
            await gate;
            inFlight -= 1;
            return target.recordPolicyResults(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    server = await buildServer({ store, logLevel: 'silent', ingestPoolSize: 3, ingestConcurrentCommits: 3, ingestMaxBatchHosts: 1, ingestMaxDelayMs: 0 });
    const ingest = server.context.jobs.find((job): job is PolicyIngest => job instanceof PolicyIngest)!;
    const recorded = hostIds.map((hostId) => ingest.record({ hostId, results: [], reportedAt: new Date() }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(most).toBe(3);
    release();
    await Promise.all(recorded);
    expect(most).toBe(3);
  });

  it('runs the edit clean-up in batches of cleanupBatchRows (default 500)', async () => {
    stubEnv();
    for (const [cleanupBatchRows, batches] of [[4, [4, 4, 2]], [undefined, [10]]] as const) {
      const store = new MemoryStore();
      const policy = await store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1' });
      const hostIds = await enrolledHosts(store, 10);
      await store.recordPolicyResults(hostIds.map((hostId) => ({ hostId, reportedAt: new Date(), results: [{ policyId: policy.id, passes: true }] })));
      server = await buildServer({ store, logLevel: 'silent', cleanupBatchRows });
      const sizes: number[] = [];
      server.context.events.on('membershipChanged', (changes: readonly unknown[]) => sizes.push(changes.length));
      const job = cleanupJobOf(server.context)!;
      job.enqueue(policy.id, { queryChanged: true, platforms: '' }, new Date());
      job.start();
      await job.whenIdle();
      expect({ cleanupBatchRows, batches: sizes }).toEqual({ cleanupBatchRows, batches });
      await server.close();
      server = undefined;
    }
  });
});
