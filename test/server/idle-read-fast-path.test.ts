/**
 * The idle distributed/read's synchronous fast path (server/osquery/index.ts, OsqueryService.idleNow):
 * a cached host with nothing due is answered from memory with the precomputed idle body; every
 * other case (gate open, refetch, enrolling, an open edit in immediate mode, a host not cached)
 * must still reach read() and get its queries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LastSeenBatcher } from '../../server/ingest/last-seen.js';
import { hostFeedOf } from '../../server/osquery/host-feed.js';
import { EMPTY_READ_BODY } from '../../server/osquery/service.js';
import { detailAnswers, memoryStores, startTestServer, type TestServer } from './support.js';

const PAST_POLICY_GATE_MS = 3_600_000 + 6 * 60_000;

describe('idle distributed/read fast path', () => {
  let running: TestServer[] = [];
  afterEach(async () => {
    for (const t of running) await t.close();
    running = [];
  });
  const start = async (options: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> => {
    const t = await startTestServer(memoryStores, options);
    running.push(t);
    return t;
  };

  /** A host that answered its first read (details and one policy): idle for the next hour. */
  async function idleHost(t: TestServer): Promise<{ key: string; policyId: number }> {
    const policy = await t.store.createPolicy({ teamId: null, name: 'p', query: 'SELECT 1;' });
    t.server.context.events.emit('policiesChanged', [policy.id]);
    const key = await t.enroll('fast-1');
    expect((await t.read(key)).body).not.toBe(EMPTY_READ_BODY);
    expect((await t.write(key, { ...detailAnswers('fast-1'), [`fleet_policy_query_${policy.id}`]: [{ 1: '1' }] })).statusCode).toBe(200);
    t.advance(10_000);
    return { key, policyId: policy.id };
  }

  it('answers a cached idle host from memory: the idle bytes, a cache hit, the host marked seen, even with the store down', async () => {
    const t = await start();
    const { key } = await idleHost(t);
    const hosts = hostFeedOf(t.server.context)!.hosts;
    const lastSeen = t.server.context.jobs.find((job): job is LastSeenBatcher => job instanceof LastSeenBatcher)!;
    await lastSeen.stop(); // flushes what the set-up marked
    t.server.faults.setStoreUnavailable(60_000); // any store call now fails
    const hitsBefore = hosts.hits;
    const response = await t.read(key);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toBe(EMPTY_READ_BODY);
    expect(hosts.hits).toBe(hitsBefore + 1);
    expect(lastSeen.pending).toBe(1);
  });

  it('still sends the queries when the policy gate opens, a refetch is asked, or the host is not cached', async () => {
    const t = await start();
    const { key, policyId } = await idleHost(t);
    const hostId = (await t.host(key)).id;

    await t.store.setRefetchRequested(hostId, true);
    t.server.context.events.emit('hostChanged', hostId);
    expect(Object.keys((await t.read(key)).json().queries)).toContain('fleet_detail_query_os_version');
    expect((await t.write(key, { ...detailAnswers('fast-1'), [`fleet_policy_query_${policyId}`]: [{ 1: '1' }] })).statusCode).toBe(200);
    t.advance(10_000);
    expect((await t.read(key)).body).toBe(EMPTY_READ_BODY);

    // Dropped from the cache: the async path loads it from the store (so fails while the store
    // is down) and then answers the same idle bytes.
    t.server.context.events.emit('hostChanged', hostId);
    t.server.faults.setStoreUnavailable(60_000);
    expect((await t.read(key)).statusCode).toBe(503);
    t.server.faults.setStoreUnavailable(0);
    expect((await t.read(key)).body).toBe(EMPTY_READ_BODY);

    t.advance(PAST_POLICY_GATE_MS);
    expect(Object.keys((await t.read(key)).json().queries)).toContain(`fleet_policy_query_${policyId}`);
  });

  it('does not answer an enrolling host (no hostname yet) idle, and a bad node key is still 401 node_invalid', async () => {
    const t = await start();
    const key = await t.enroll('fast-2', { hostname: '' });
    expect((await t.write(key, { fleet_detail_query_os_version: [{ name: 'Ubuntu', version: '22.04', platform: 'ubuntu' }] })).statusCode).toBe(200);
    t.advance(10_000);
    const read = (await t.read(key)).json() as { accelerate?: number };
    expect(read.accelerate).toBe(10);

    const bad = await t.read('not-a-key');
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ node_invalid: true });
    const missing = await t.post('/api/osquery/distributed/read', {});
    expect(missing.statusCode).toBe(401);
    const wrongType = await t.post('/api/osquery/distributed/read', { node_key: 7 });
    expect(wrongType.statusCode).toBe(400);
  });
});
