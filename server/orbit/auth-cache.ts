/**
 * fleetd's hot path, like the osquery host cache (../osquery/host-cache.ts): which host an orbit
 * node key belongs to, and which host a device token belongs to and when it was set, so orbit
 * config, device_token, Fleet Desktop and the token ping cost no store lookup per request.
 *
 * Fleet caches the orbit node key lookup too (Redis host cache, LoadHostByOrbitNodeKey, TTL 60 s,
 * then 180 s: GH#43928, PR GH#43936, PR GH#46458) but not the device-token lookup (GH#44636);
 * see reference fleetd-orbit.md §4.2 and §2.5. osqsim caches both with the host cache's staleness
 * bound instead:
 *  - changes through this instance (orbit enroll, a new device token, host delete, team move,
 *    re-enroll) drop the host's entries at once;
 *  - changes made elsewhere reach it through the store's change feed (a new orbit node key and a
 *    new device token are host changes there): the entries of changed or deleted hosts are dropped
 *    at each poll (≈ 1 s). While the feed is live entries live up to maxAgeMs, otherwise ttlMs
 *    (--host-cache-ttl; 0 turns this cache off too).
 * The device token's own expiry (Fleet's deviceAuthTokenTTL, one hour from when it was set) is
 * checked on every request from the cached set time, so caching never extends a token's life.
 * Unknown keys and tokens are never cached.
 */
import type { Clock } from '../osquery/host-cache.js';

export interface OrbitAuthCacheOptions {
  readonly ttlMs: number;
  readonly maxAgeMs: number;
  readonly feedLive: () => boolean;
  readonly maxEntries?: number;
  readonly clock?: Clock;
}

interface Entry {
  readonly hostId: number;
  readonly loadedAt: number;
}

export interface CachedDeviceToken extends Entry {
  /** When the token was set (ms). */
  readonly updatedAt: number;
}

export const DEFAULT_ORBIT_CACHE_ENTRIES = 200_000;

/** One bounded map (least recently loaded evicted first) with a host index, for dropping by host. */
class HostKeyedMap<E extends Entry> {
  private readonly byKey = new Map<string, E>();
  private readonly keysByHost = new Map<number, Set<string>>();

  constructor(private readonly maxEntries: number) {}

  get(key: string): E | undefined {
    return this.byKey.get(key);
  }

  set(key: string, entry: E): void {
    this.delete(key);
    this.byKey.set(key, entry);
    let keys = this.keysByHost.get(entry.hostId);
    if (keys === undefined) this.keysByHost.set(entry.hostId, (keys = new Set()));
    keys.add(key);
    while (this.byKey.size > this.maxEntries) this.delete(this.byKey.keys().next().value as string);
  }

  delete(key: string): void {
    const entry = this.byKey.get(key);
    if (entry === undefined) return;
    this.byKey.delete(key);
    const keys = this.keysByHost.get(entry.hostId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByHost.delete(entry.hostId);
  }

  dropHost(hostId: number): void {
    const keys = this.keysByHost.get(hostId);
    if (keys === undefined) return;
    for (const key of [...keys]) this.delete(key);
  }

  clear(): void {
    this.byKey.clear();
    this.keysByHost.clear();
  }

  get size(): number {
    return this.byKey.size;
  }
}

export class OrbitAuthCache {
  private readonly orbitKeys: HostKeyedMap<Entry>;
  private readonly tokens: HostKeyedMap<CachedDeviceToken>;
  /**
   * Invalidation clock: a load or write that started (at `tick`) before its host was dropped, or
   * before a clear, is not cached. Per host, so one host's new token does not stop the others'
   * concurrent writes from being cached.
   */
  private tick = 0;
  private clearedAt = 0;
  private readonly droppedAt = new Map<number, number>();
  private readonly clock: Clock;
  hits = 0;
  misses = 0;

  private readonly maxEntries: number;

  constructor(private readonly options: OrbitAuthCacheOptions) {
    const maxEntries = options.maxEntries ?? DEFAULT_ORBIT_CACHE_ENTRIES;
    this.maxEntries = maxEntries;
    this.orbitKeys = new HostKeyedMap(maxEntries);
    this.tokens = new HostKeyedMap(maxEntries);
    this.clock = options.clock ?? Date.now;
  }

  /** The host id of an orbit node key; `load` asks the store on a miss (undefined = unknown key). */
  async orbitHostId(orbitNodeKey: string, load: () => Promise<number | undefined>): Promise<number | undefined> {
    const cached = this.fresh(this.orbitKeys.get(orbitNodeKey));
    if (cached !== undefined) return cached.hostId;
    this.misses += 1;
    const started = this.tick;
    const hostId = await load();
    if (hostId !== undefined && this.cacheable(started, hostId)) this.orbitKeys.set(orbitNodeKey, { hostId, loadedAt: this.clock() });
    return hostId;
  }

  /** A device token's host and set time; `load` asks the store on a miss (undefined = unknown token). */
  async deviceToken(
    token: string,
    load: () => Promise<{ hostId: number; updatedAt: Date } | undefined>,
  ): Promise<CachedDeviceToken | undefined> {
    const cached = this.fresh(this.tokens.get(token));
    if (cached !== undefined) return cached;
    this.misses += 1;
    const started = this.tick;
    const row = await load();
    if (row === undefined) return undefined;
    const entry: CachedDeviceToken = { hostId: row.hostId, updatedAt: row.updatedAt.getTime(), loadedAt: this.clock() };
    if (this.cacheable(started, row.hostId)) this.tokens.set(token, entry);
    return entry;
  }

  /** A mark to take before a store write whose outcome setToken records. */
  mark(): number {
    return this.tick;
  }

  /**
   * After this instance set a token: the store holds it for this host since `updatedAt`. Cached only
   * if the host was not dropped since `mark` (the write may have raced a delete or a change elsewhere).
   */
  setToken(token: string, hostId: number, updatedAt: Date, mark: number): void {
    const cacheable = this.cacheable(mark, hostId);
    this.dropTokens(hostId); // its previous token is gone
    if (cacheable) this.tokens.set(token, { hostId, updatedAt: updatedAt.getTime(), loadedAt: this.clock() });
  }

  /** True when the store is known (fresh entry) to hold this token for this host: setting it again changes nothing. */
  holdsToken(hostId: number, token: string): boolean {
    const cached = this.fresh(this.tokens.get(token));
    return cached !== undefined && cached.hostId === hostId;
  }

  /** Drops every entry of these hosts (changed or deleted here or elsewhere). */
  dropHosts(hostIds: Iterable<number>): void {
    for (const hostId of hostIds) {
      this.noteDropped(hostId);
      this.orbitKeys.dropHost(hostId);
      this.tokens.dropHost(hostId);
    }
  }

  /** Drops a host's device token entries only (it set a new token: its orbit node key is unchanged). */
  dropTokens(hostId: number): void {
    this.noteDropped(hostId);
    this.tokens.dropHost(hostId);
  }

  private noteDropped(hostId: number): void {
    this.droppedAt.set(hostId, ++this.tick);
    // Bounded: past maxEntries hosts, forget them all and count it as a clear for loads in flight.
    if (this.droppedAt.size > this.maxEntries) {
      this.clearedAt = this.tick;
      this.droppedAt.clear();
    }
  }

  clear(): void {
    this.clearedAt = ++this.tick;
    this.droppedAt.clear();
    this.orbitKeys.clear();
    this.tokens.clear();
  }

  get size(): number {
    return this.orbitKeys.size + this.tokens.size;
  }

  private fresh<E extends Entry>(entry: E | undefined): E | undefined {
    if (entry === undefined) return undefined;
    const { ttlMs, maxAgeMs, feedLive } = this.options;
    const maxAge = ttlMs <= 0 ? 0 : feedLive() ? Math.max(ttlMs, maxAgeMs) : ttlMs;
    if (this.clock() - entry.loadedAt >= maxAge) return undefined;
    this.hits += 1;
    return entry;
  }

  private cacheable(started: number, hostId: number): boolean {
    return this.options.ttlMs > 0 && this.clearedAt <= started && (this.droppedAt.get(hostId) ?? 0) <= started;
  }
}
