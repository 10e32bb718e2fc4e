/**
 * server/orbit/auth-cache.ts: entries live ttlMs without a live change feed and maxAgeMs with one,
 * unknown keys are not cached, dropping a host drops its keys and tokens, and a load that raced an
 * invalidation is not cached (so an invalidation is never undone by an older read).
 */
import { describe, expect, it } from 'vitest';
import { OrbitAuthCache } from '../../server/orbit/auth-cache.js';

function cache(live = false) {
  const state = { now: 1_000_000, live };
  const auth = new OrbitAuthCache({ ttlMs: 2_000, maxAgeMs: 600_000, feedLive: () => state.live, clock: () => state.now });
  let loads = 0;
  const hostOf = (hostId: number | undefined) => async () => {
    loads += 1;
    return hostId;
  };
  const tokenOf = (row: { hostId: number; updatedAt: Date } | undefined) => async () => {
    loads += 1;
    return row;
  };
  return { auth, state, hostOf, tokenOf, loads: () => loads };
}

describe('orbit auth cache', () => {
  it('serves an orbit node key from memory for the TTL, then loads it again; longer while the feed is live', async () => {
    const c = cache();
    expect(await c.auth.orbitHostId('k', c.hostOf(7))).toBe(7);
    expect(await c.auth.orbitHostId('k', c.hostOf(99))).toBe(7);
    expect(c.loads()).toBe(1);
    c.state.now += 2_000;
    expect(await c.auth.orbitHostId('k', c.hostOf(8))).toBe(8);
    expect(c.loads()).toBe(2);
    c.state.live = true;
    c.state.now += 300_000;
    expect(await c.auth.orbitHostId('k', c.hostOf(9))).toBe(8);
    c.state.now += 300_000;
    expect(await c.auth.orbitHostId('k', c.hostOf(9))).toBe(9);
  });

  it('does not cache unknown keys or tokens, and caches nothing with a TTL of 0', async () => {
    const c = cache();
    expect(await c.auth.orbitHostId('nope', c.hostOf(undefined))).toBeUndefined();
    expect(await c.auth.deviceToken('nope', c.tokenOf(undefined))).toBeUndefined();
    expect(c.auth.size).toBe(0);
    const off = new OrbitAuthCache({ ttlMs: 0, maxAgeMs: 600_000, feedLive: () => true });
    expect(await off.orbitHostId('k', async () => 1)).toBe(1);
    expect(off.size).toBe(0);
  });

  it('knows which host holds a token; dropping a host drops its keys and tokens, dropping its tokens keeps its key', async () => {
    const c = cache();
    const setAt = new Date(999_000);
    expect(await c.auth.deviceToken('t', c.tokenOf({ hostId: 7, updatedAt: setAt }))).toMatchObject({ hostId: 7, updatedAt: 999_000 });
    await c.auth.orbitHostId('k', c.hostOf(7));
    expect(c.auth.holdsToken(7, 't')).toBe(true);
    expect(c.auth.holdsToken(8, 't')).toBe(false);
    expect(c.auth.holdsToken(7, 'other')).toBe(false);
    c.auth.dropTokens(7);
    expect(c.auth.holdsToken(7, 't')).toBe(false);
    expect(c.auth.size).toBe(1);
    c.auth.dropHosts([7]);
    expect(c.auth.size).toBe(0);
  });

  it('records a token this instance set, unless an invalidation came between the mark and the write', () => {
    const c = cache();
    const mark = c.auth.mark();
    c.auth.setToken('t', 7, new Date(999_000), mark);
    expect(c.auth.holdsToken(7, 't')).toBe(true);
    // Another host dropped meanwhile (say its own new token) does not matter …
    const before = c.auth.mark();
    c.auth.dropTokens(8);
    c.auth.setToken('t2', 7, new Date(999_000), before);
    expect(c.auth.holdsToken(7, 't2')).toBe(true);
    expect(c.auth.holdsToken(7, 't')).toBe(false); // the host's previous token is gone
    // … this host dropped meanwhile (deleted, changed elsewhere) does.
    const stale = c.auth.mark();
    c.auth.dropHosts([7]);
    c.auth.setToken('t3', 7, new Date(999_000), stale);
    expect(c.auth.holdsToken(7, 't3')).toBe(false);
  });

  it('does not cache a load that an invalidation overtook', async () => {
    const c = cache();
    let release!: (hostId: number) => void;
    const pending = c.auth.orbitHostId('k', () => new Promise<number>((resolve) => (release = resolve)));
    c.auth.dropHosts([7]);
    release(7);
    expect(await pending).toBe(7);
    expect(c.auth.size).toBe(0);
    // A clear overtakes every load; dropping past maxEntries hosts counts as one.
    const small = new OrbitAuthCache({ ttlMs: 2_000, maxAgeMs: 2_000, feedLive: () => false, maxEntries: 2 });
    let releaseSmall!: (hostId: number) => void;
    const racing = small.orbitHostId('k', () => new Promise<number>((resolve) => (releaseSmall = resolve)));
    small.dropHosts([1, 2, 3]);
    releaseSmall(9);
    expect(await racing).toBe(9);
    expect(small.size).toBe(0);
  });
});
