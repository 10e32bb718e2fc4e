import { describe, expect, it } from 'vitest';
import { osqsimError } from '../../lib/errors.js';
import { HostCache, PolicyScopeCache } from '../../server/osquery/host-cache.js';
import type { Host, Policy } from '../../server/store/store.js';

const LONG_AGO = new Date('2000-01-01T00:00:00Z');

function host(id: number, nodeKey: string, extra: Partial<Host> = {}): Host {
  return {
    id,
    osqueryHostId: `h${id}`,
    nodeKey,
    teamId: null,
    platform: 'ubuntu',
    hostname: `host-${id}`,
    uuid: '',
    hardwareSerial: '',
    osVersion: '',
    osqueryVersion: '',
    uptimeSeconds: 0,
    detailUpdatedAt: LONG_AGO,
    policyUpdatedAt: LONG_AGO,
    refetchRequested: false,
    distributedInterval: 0,
    loggerTlsPeriod: 0,
    configTlsRefresh: 0,
    lastEnrolledAt: LONG_AGO,
    createdAt: LONG_AGO,
    updatedAt: LONG_AGO,
    seenTime: null,
    ...extra,
  };
}

function fakeHosts(): { hosts: Map<string, Host>; loads: string[]; load(key: string): Promise<Host | undefined> } {
  const hosts = new Map<string, Host>();
  const loads: string[] = [];
  return {
    hosts,
    loads,
    async load(key) {
      loads.push(key);
      return hosts.get(key);
    },
  };
}

describe('host cache (hot path)', () => {
  it('serves a node key from memory within the TTL and re-reads the store after it', async () => {
    let clock = 0;
    const source = fakeHosts();
    source.hosts.set('k1', host(1, 'k1'));
    const cache = new HostCache((key) => source.load(key), { ttlMs: 2000, clock: () => clock });
    expect((await cache.get('k1'))?.id).toBe(1);
    clock = 1999;
    expect((await cache.get('k1'))?.id).toBe(1);
    expect(source.loads).toEqual(['k1']);
    source.hosts.set('k1', host(1, 'k1', { refetchRequested: true }));
    clock = 2000;
    expect((await cache.get('k1'))?.refetchRequested).toBe(true); // visible within the staleness bound
    expect(source.loads).toEqual(['k1', 'k1']);
  });

  it('serves an expired entry while the store is unreachable (up to maxAgeMs), never on other errors', async () => {
    let clock = 0;
    let failure: Error | undefined;
    const cache = new HostCache(
      async (key) => {
        if (failure) throw failure;
        return host(1, key);
      },
      { ttlMs: 2000, maxAgeMs: 60_000, feedLive: () => false, clock: () => clock },
    );
    expect((await cache.get('k1'))?.id).toBe(1);
    failure = osqsimError('STORE_UNAVAILABLE', { reason: 'ECONNRESET' });
    clock = 5_000; // past the TTL: reloaded, the reload fails, the entry is served
    expect((await cache.get('k1'))?.id).toBe(1);
    expect(cache.servedStale).toBe(1);
    await expect(Promise.resolve(cache.get('unknown'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    failure = osqsimError('INTERNAL', { reason: 'bug' });
    await expect(Promise.resolve(cache.get('k1'))).rejects.toMatchObject({ code: 'INTERNAL' });
    failure = osqsimError('STORE_UNAVAILABLE', { reason: 'ECONNRESET' });
    clock = 60_000; // the safety net's age: no longer served
    await expect(Promise.resolve(cache.get('k1'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    failure = undefined;
    expect((await cache.get('k1'))?.loadedAt).toBe(60_000);
  });

  it('a refresh that fails because the store is unreachable keeps the entries as the stale fallback (reloaded on use)', async () => {
    let failure: Error | undefined;
    const loads: string[] = [];
    const cache = new HostCache(
      async (key) => {
        loads.push(key);
        if (failure) throw failure;
        return host(1, key);
      },
      { ttlMs: 2000, maxAgeMs: 60_000, feedLive: () => true, clock: () => 0 },
    );
    await cache.get('k1');
    failure = osqsimError('STORE_UNAVAILABLE', { reason: 'ECONNRESET' });
    await cache.refreshHosts([1], async () => {
      throw failure;
    });
    expect(cache.fresh('k1')).toBeUndefined(); // known to be out of date: not served as fresh
    expect((await cache.get('k1'))?.id).toBe(1); // reload failed: the entry is the fallback
    expect(loads).toEqual(['k1', 'k1']);
    // Any other failure drops them, as before.
    await cache.refreshHosts([1], async () => {
      throw new Error('bug');
    });
    await expect(Promise.resolve(cache.get('k1'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    failure = undefined;
    expect((await cache.get('k1'))?.id).toBe(1);
    expect(cache.fresh('k1')?.id).toBe(1);
  });

  it('does not cache unknown keys and answers undefined', async () => {
    const source = fakeHosts();
    const cache = new HostCache((key) => source.load(key), { ttlMs: 2000 });
    expect(await cache.get('nope')).toBeUndefined();
    expect(await cache.get('nope')).toBeUndefined();
    expect(source.loads).toEqual(['nope', 'nope']);
  });

  it('invalidates a host by id (re-enroll, refetch) so the old key is re-checked at once', async () => {
    const source = fakeHosts();
    source.hosts.set('old', host(1, 'old'));
    const cache = new HostCache((key) => source.load(key), { ttlMs: 60_000 });
    await cache.get('old');
    source.hosts.delete('old');
    source.hosts.set('new', host(1, 'new'));
    expect(await cache.get('old')).toBeDefined(); // still cached
    cache.invalidateHost(1);
    expect(await cache.get('old')).toBeUndefined();
    expect((await cache.get('new'))?.id).toBe(1);
  });

  it('shares one store read between concurrent misses', async () => {
    const source = fakeHosts();
    source.hosts.set('k', host(1, 'k'));
    const cache = new HostCache((key) => source.load(key), { ttlMs: 1000 });
    const [a, b] = await Promise.all([cache.get('k'), cache.get('k')]);
    expect(a).toBe(b);
    expect(source.loads).toHaveLength(1);
  });

  it('drops a load that raced an invalidation', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let version = 0;
    const cache = new HostCache(
      async (key) => {
        const seen = version;
        await gate;
        return host(1, key, { refetchRequested: seen > 0 });
      },
      { ttlMs: 60_000 },
    );
    const stale = cache.get('k');
    version = 1;
    cache.invalidateHost(1);
    release();
    expect((await stale)?.refetchRequested).toBe(false);
    expect((await cache.get('k'))?.refetchRequested).toBe(true);
  });

  it('is bounded: the oldest entries are evicted', async () => {
    const source = fakeHosts();
    for (let id = 1; id <= 5; id++) source.hosts.set(`k${id}`, host(id, `k${id}`));
    const cache = new HostCache((key) => source.load(key), { ttlMs: 60_000, maxEntries: 3 });
    for (let id = 1; id <= 5; id++) await cache.get(`k${id}`);
    expect(cache.size).toBe(3);
    expect(cache.peekById(1)).toBeUndefined();
    expect(cache.peekById(5)?.nodeKey).toBe('k5');
  });

  it('keeps entries for maxAgeMs while the change feed is live, and for ttlMs otherwise', async () => {
    let clock = 0;
    let live = true;
    const source = fakeHosts();
    source.hosts.set('k1', host(1, 'k1'));
    const cache = new HostCache((key) => source.load(key), {
      ttlMs: 2000, maxAgeMs: 600_000, feedLive: () => live, clock: () => clock,
    });
    await cache.get('k1');
    clock = 599_999;
    await cache.get('k1');
    expect(source.loads).toHaveLength(1);
    clock = 600_000;
    await cache.get('k1');
    expect(source.loads).toHaveLength(2); // safety net
    clock = 601_000;
    live = false;
    await cache.get('k1');
    expect(source.loads).toHaveLength(2); // 1 s old: within the short TTL
    clock = 602_000;
    await cache.get('k1');
    expect(source.loads).toHaveLength(3); // feed down: short TTL again
  });

  it('invalidateHosts drops many hosts at once and counts them', async () => {
    const source = fakeHosts();
    for (let id = 1; id <= 3; id++) source.hosts.set(`k${id}`, host(id, `k${id}`));
    const cache = new HostCache((key) => source.load(key), { ttlMs: 60_000 });
    for (let id = 1; id <= 3; id++) await cache.get(`k${id}`);
    cache.invalidateHosts([1, 3, 99]);
    expect(cache.size).toBe(1);
    expect(cache.invalidations).toBe(2);
    expect(cache.peekById(2)?.nodeKey).toBe('k2');
  });

  it('refreshHosts re-reads cached hosts in one call, skips uncached ones, and drops entries updated meanwhile', async () => {
    const source = fakeHosts();
    for (let id = 1; id <= 3; id++) source.hosts.set(`k${id}`, host(id, `k${id}`));
    const cache = new HostCache((key) => source.load(key), { ttlMs: 60_000 });
    await cache.get('k1');
    await cache.get('k2');
    const fetched: number[][] = [];
    await cache.refreshHosts([1, 2, 3], async (ids) => {
      fetched.push(ids);
      // host 2 is updated in place by a request while the read runs; host 1 changed in the store
      cache.peekById(2)!.refetchRequested = true;
      return [host(1, 'k1', { refetchRequested: true }), host(2, 'k2')];
    });
    expect(fetched).toEqual([[1, 2]]);
    expect(cache.peekById(1)?.refetchRequested).toBe(true);
    expect(cache.peekById(2)).toBeUndefined();
    await cache.refreshHosts([1], async () => []); // gone from the store
    expect(cache.peekById(1)).toBeUndefined();
    expect(source.loads).toEqual(['k1', 'k2']);
  });

  it('ttl 0 turns caching off', async () => {
    const source = fakeHosts();
    source.hosts.set('k', host(1, 'k'));
    const cache = new HostCache((key) => source.load(key), { ttlMs: 0 });
    await cache.get('k');
    await cache.get('k');
    expect(source.loads).toHaveLength(2);
  });
});

describe('policy scope cache', () => {
  const policy = (id: number): Policy => ({
    id,
    teamId: null,
    name: `p${id}`,
    query: `SELECT ${id}`,
    description: '',
    resolution: '',
    platforms: '',
    critical: false,
    authorId: null,
    authorName: '',
    authorEmail: '',
    createdAt: LONG_AGO,
    updatedAt: LONG_AGO,
  });

  it('caches per (team, platform), sorts by id, and clears on policy changes', async () => {
    const loads: string[] = [];
    let ids = [3, 1];
    const cache = new PolicyScopeCache(async (teamId, platform) => {
      loads.push(`${teamId}|${platform}`);
      return ids.map(policy);
    }, { ttlMs: 60_000 });
    const scope = await cache.get(null, 'linux');
    expect(scope.policies.map((p) => p.id)).toEqual([1, 3]);
    expect(scope.ids.has(3)).toBe(true);
    await cache.get(null, 'linux');
    await cache.get(2, 'linux');
    await cache.get(null, 'darwin');
    expect(loads).toEqual(['null|linux', '2|linux', 'null|darwin']);
    ids = [1];
    cache.clear();
    expect((await cache.get(null, 'linux')).policies.map((p) => p.id)).toEqual([1]);
  });
});
