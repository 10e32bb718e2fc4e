/**
 * Two server instances on one store (DESIGN §7): changes made through instance A reach instance
 * B's hot-path cache through the store's change feed — at B's next feed poll — and idle reads on B
 * cost no store call while the feed is live. Polls are driven by hand (feed.poll()) so the tests
 * do not depend on timing: "visible after one poll" is the staleness bound of one poll period.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, type OsqsimServer } from '../../server/app.js';
import { hostFeedOf, type HostChangeFeed } from '../../server/osquery/host-feed.js';
import { createStore, MemoryStore } from '../../server/store/index.js';
import type { Store } from '../../server/store/store.js';
import { createTestDatabase, describeMysql } from '../helpers/mysql.js';
import { detailAnswers, GLOBAL_SECRET, START } from './support.js';

const TOKEN = 'feed-token';
const IDLE = '{"queries":{},"discovery":{}}';

/** Counts calls per store method. */
function counting(inner: Store): { store: Store; calls: Map<string, number>; total(): number } {
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls, total: () => [...calls.values()].reduce((a, b) => a + b, 0) };
}

interface Instance {
  readonly server: OsqsimServer;
  readonly feed: HostChangeFeed;
  clock: number;
  post(url: string, body: unknown, method?: 'POST' | 'DELETE'): Promise<{ statusCode: number; body: string; json(): unknown }>;
  read(nodeKey: string): Promise<{ statusCode: number; body: string; json(): unknown }>;
}

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function instance(store: Store, hostCacheTtlMs: number): Promise<Instance> {
  const state = { clock: START.getTime() };
  const server = await buildServer({
    logLevel: 'silent',
    enrollSecrets: [{ secret: GLOBAL_SECRET }],
    apiToken: TOKEN,
    store,
    closeStore: false,
    hostCacheTtlMs,
    // The loop polls once at start, then (in these tests) only when the test says so.
    hostFeedIntervalMs: 3_600_000,
    now: () => new Date(state.clock),
  });
  const feed = hostFeedOf(server.context)!;
  feed.start();
  await feed.poll();
  cleanups.push(() => server.close());
  const post: Instance['post'] = async (url, body, method = 'POST') =>
    server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TOKEN}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { payload: JSON.stringify(body) } : {}),
    });
  return {
    server,
    feed,
    get clock() {
      return state.clock;
    },
    set clock(value: number) {
      state.clock = value;
    },
    post,
    read: (nodeKey) => post('/api/osquery/distributed/read', { node_key: nodeKey }),
  };
}

async function enrolled(a: Instance, name: string): Promise<{ nodeKey: string; hostId: number }> {
  const response = await a.post('/api/osquery/enroll', {
    enroll_secret: GLOBAL_SECRET,
    host_identifier: name,
    host_details: {
      os_version: { platform: 'ubuntu', name: 'Ubuntu', version: '22.04.3 LTS' },
      osquery_info: { version: '5.12.1' },
      system_info: { hostname: name, uuid: `uuid-${name}` },
    },
  });
  const nodeKey = (response.json() as { node_key: string }).node_key;
  // First check-in: everything due; answer it so the host is idle afterwards.
  await a.read(nodeKey);
  const write = await a.post('/api/osquery/distributed/write', {
    node_key: nodeKey,
    queries: { ...detailAnswers(name), fleet_no_policies_wildcard: [{ 1: '1' }] },
    statuses: {},
  });
  expect(write.statusCode).toBe(200);
  const host = await a.server.context.store.getHostByNodeKey(nodeKey);
  return { nodeKey, hostId: host!.id };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function feedSuite(kind: string, open: () => Promise<{ a: Store; b: Store; dispose(): Promise<void> }>): void {
  describe(`host change feed across two instances (${kind})`, () => {
    /** ttl: the fallback entry age; long by default so that only the feed can make B see A's changes. */
    async function pair(ttl = 60_000): Promise<{ a: Instance; b: Instance; bCalls: ReturnType<typeof counting> }> {
      const stores = await open();
      cleanups.push(() => stores.dispose());
      const bCalls = counting(stores.b);
      const a = await instance(stores.a, ttl);
      const b = await instance(bCalls.store, ttl);
      return { a, b, bCalls };
    }

    it('serves idle reads on B from memory, past the short TTL, with no store call while the feed is live', async () => {
      const { a, b, bCalls } = await pair(50);
      const { nodeKey } = await enrolled(a, 'idle-host');
      await b.feed.poll();
      expect((await b.read(nodeKey)).body).toBe(IDLE); // loads the host once
      const before = new Map(bCalls.calls);
      for (let round = 0; round < 3; round++) {
        await sleep(80); // longer than hostCacheTtlMs (50 ms): only the live feed keeps the entry
        for (let i = 0; i < 20; i++) expect((await b.read(nodeKey)).body).toBe(IDLE);
      }
      expect(bCalls.calls).toEqual(before);
      expect(bCalls.calls.get('getHostByNodeKey')).toBe(1);
    });

    it('orbit: a device token rotated and an orbit key re-enrolled on A are refused on B after B\'s next poll', async () => {
      const { a, b } = await pair();
      const orbitEnroll = async (): Promise<string> =>
        ((await a.post('/api/fleet/orbit/enroll', { enroll_secret: GLOBAL_SECRET, hardware_uuid: 'U-9', platform: 'darwin' })).json() as { orbit_node_key: string })
          .orbit_node_key;
      const tokenPing = async (token: string): Promise<number> =>
        (await b.server.app.inject({ method: 'HEAD', url: `/api/latest/fleet/device/${token}/ping` })).statusCode;
      const first = await orbitEnroll();
      expect((await a.post('/api/fleet/orbit/device_token', { orbit_node_key: first, device_auth_token: 'tok-1' })).statusCode).toBe(200);
      expect((await b.post('/api/fleet/orbit/config', { orbit_node_key: first })).statusCode).toBe(200); // cached on B
      expect(await tokenPing('tok-1')).toBe(200); // cached on B

      expect((await a.post('/api/fleet/orbit/device_token', { orbit_node_key: first, device_auth_token: 'tok-2' })).statusCode).toBe(200);
      const second = await orbitEnroll();
      await b.feed.poll();
      expect((await b.post('/api/fleet/orbit/config', { orbit_node_key: first })).statusCode).toBe(401);
      expect(await tokenPing('tok-1')).toBe(401);
      expect(await tokenPing('tok-2')).toBe(200);
      expect((await b.post('/api/fleet/orbit/config', { orbit_node_key: second })).statusCode).toBe(200);
    });

    it('a refetch requested through A\'s REST API is due on B after B\'s next poll', async () => {
      const { a, b, bCalls } = await pair();
      const { nodeKey, hostId } = await enrolled(a, 'refetch-host');
      await b.feed.poll();
      expect((await b.read(nodeKey)).body).toBe(IDLE);
      expect((await a.post(`/api/v1/fleet/hosts/${hostId}/refetch`, {})).statusCode).toBe(200);
      const lookups = bCalls.calls.get('getHostByNodeKey');
      await b.feed.poll();
      const due = (await b.read(nodeKey)).json() as { queries: Record<string, string> };
      expect(Object.keys(due.queries)).toContain('fleet_detail_query_os_version');
      // The poll re-read the cached host (one getHosts call); the read itself hit memory.
      expect(bCalls.calls.get('getHostByNodeKey')).toBe(lookups);
      expect(bCalls.calls.get('getHosts')).toBe(1);
    });

    it('a host deleted on A is node_invalid on B after B\'s next poll', async () => {
      const { a, b } = await pair();
      const { nodeKey, hostId } = await enrolled(a, 'deleted-host');
      await b.feed.poll();
      expect((await b.read(nodeKey)).statusCode).toBe(200);
      expect((await a.post(`/api/v1/fleet/hosts/${hostId}`, undefined, 'DELETE')).statusCode).toBe(200);
      await b.feed.poll();
      const response = await b.read(nodeKey);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ node_invalid: true });
    });

    it('a policy added on A is in B\'s next due read', async () => {
      const { a, b } = await pair();
      const { nodeKey } = await enrolled(a, 'policy-host');
      await b.feed.poll();
      b.clock += 2 * 3_600_000; // policies due again on B
      const before = (await b.read(nodeKey)).json() as { queries: Record<string, string> };
      expect(Object.keys(before.queries)).toContain('fleet_no_policies_wildcard');
      const created = await a.post('/api/v1/fleet/global/policies', { name: 'new on A', query: 'SELECT 42;' });
      expect(created.statusCode).toBe(200);
      const id = (created.json() as { policy: { id: number } }).policy.id;
      await b.feed.poll();
      const after = (await b.read(nodeKey)).json() as { queries: Record<string, string> };
      expect(after.queries[`fleet_policy_query_${id}`]).toBe('SELECT 42;');
      expect(Object.keys(after.queries)).not.toContain('fleet_no_policies_wildcard');
    });

    it('a host enrolled on A is served by B at once (unknown keys are not cached), and a re-enroll on A retires the old key on B', async () => {
      const { a, b } = await pair();
      expect((await b.read('not-yet')).statusCode).toBe(401);
      const { nodeKey } = await enrolled(a, 'moving-host');
      expect((await b.read(nodeKey)).statusCode).toBe(200);
      await enrolled(a, 'moving-host'); // re-enroll: new key, the old one is refused
      await b.feed.poll();
      expect((await b.read(nodeKey)).statusCode).toBe(401);
    });

    it('falls back to the short TTL when the feed is not live', async () => {
      const { a, b, bCalls } = await pair(50);
      const { nodeKey } = await enrolled(a, 'fallback-host');
      await b.feed.stop();
      await b.read(nodeKey);
      const loads = bCalls.calls.get('getHostByNodeKey') ?? 0;
      await sleep(80);
      await b.read(nodeKey);
      expect(bCalls.calls.get('getHostByNodeKey')).toBe(loads + 1);
    });
  });
}

feedSuite('memory', async () => {
  const store = new MemoryStore();
  return { a: store, b: store, dispose: () => store.close() };
});

describeMysql('host change feed on MySQL', () => {
  feedSuite('mysql', async () => {
    const database = await createTestDatabase();
    const a = await createStore(database.url, { poolSize: 4 });
    const b = await createStore(database.url, { poolSize: 4 });
    return {
      a,
      b,
      async dispose() {
        await a.close();
        await b.close();
        await database.drop();
      },
    };
  });
});

describe('host change feed loop', () => {
  it('polls on its own every interval once the server listens', async () => {
    const store = new MemoryStore();
    const calls = counting(store);
    const server = await buildServer({ logLevel: 'silent', store: calls.store, closeStore: false, port: 0, hostFeedIntervalMs: 20 });
    cleanups.push(() => server.close());
    await server.listen();
    await sleep(200);
    expect(calls.calls.get('hostChangesSince') ?? 0).toBeGreaterThanOrEqual(3);
    expect(hostFeedOf(server.context)!.live()).toBe(true);
  });
});
