/**
 * The hot path's memory (DESIGN §3 "Hot path"): host auth and due state keyed by node key, and
 * the in-scope policy list per (team, Fleet platform), so an idle distributed/read costs no store
 * round trip.
 *
 * Staleness bound (DESIGN §3, §7 — several instances on one store):
 *  - Changes made through this instance are visible at once (server events hostChanged and
 *    policiesChanged; ingest, config and detail writes update the entry in place).
 *  - Changes made anywhere else (another instance, the database directly) reach this instance
 *    through the store's change feed (Store.hostChangesSince), which HostChangeFeed (./host-feed.ts)
 *    polls every `hostFeedIntervalMs` (default 1 s): cached hosts that changed are re-read in one
 *    call (refreshHosts), deleted ones dropped, and the policy scopes dropped when the policies
 *    version moves. They become visible within one poll period plus the poll's and the refresh's
 *    round trips (≈ 1 s). On MySQL this holds for transactions that commit within
 *    FEED_OVERLAP_MS (5 s) of their UPDATE of the host row; the safety TTL catches slower ones.
 *  - While the feed is live (its last successful poll started less than `liveWindowMs` ago), an
 *    entry may be served for up to `maxAgeMs` (default 10 min, a safety net). When it is not (not
 *    started — e.g. a server used through inject() only —, or the store failing), entries fall
 *    back to `ttlMs` (--host-cache-ttl, default 2 s): the bound is then max(ttl, live window).
 *  - While the store cannot be reached (a reload fails with STORE_UNAVAILABLE), an expired entry is
 *    served as it is, up to `maxAgeMs`: during a database outage hosts the instance knows keep
 *    checking in (their writes are answered as Fleet does, the host stays due), instead of every
 *    read failing once the TTL runs out. Nothing can change in an unreachable store, so the entry
 *    is as fresh as any this instance could read (docs/RELIABILITY.md "Database outage").
 *  - Unknown node keys are never cached (a host enrolled elsewhere works at its first request).
 *  `ttlMs = 0` turns caching off.
 *
 * Both caches are bounded (least recently loaded entries are evicted first) and drop loads that
 * raced an invalidation, so an invalidation is never undone by an older read.
 */
import { isOsqsimError } from '../../lib/errors.js';
import { LONG_AGO } from '../store/common.js';
import { policyLabelIds } from '../store/label-rules.js';
import type { Host, Policy } from '../store/store.js';

/** The mutable per-host state the osquery endpoints work from. */
export interface CachedHost {
  readonly id: number;
  readonly nodeKey: string;
  readonly teamId: number | null;
  platform: string;
  hostname: string;
  /** Chooses the CentOS label queries of rhel hosts (Fleet's LabelQueriesForHost). */
  osVersion: string;
  detailUpdatedAt: Date;
  policyUpdatedAt: Date;
  labelUpdatedAt: Date;
  refetchRequested: boolean;
  distributedInterval: number;
  loggerTlsPeriod: number;
  configTlsRefresh: number;
  /*
   * `--edited-policies immediate` only (absent otherwise, so the default mode's entries keep their
   * shape and size). Edits are tracked per policy version, not by a time watermark: queryChangedAt
   * is stamped before the edit commits, so concurrent edits can become visible out of stamp order
   * (issue 16 item 7, race 2; docs/RELIABILITY.md "Built-in scenarios").
   */
  /**
   * The edited policy versions (id, queryChangedAt) the host answered since its last policy run,
   * only those still current (pruned at each check, so at most the scope's edited policies): once
   * it answered every edit newer than its run, the scope's shared `edited` list (entries older than
   * the run never count); the shared empty list after a policy run. Undefined until known for this
   * entry: the read then checks the host's stored rows once.
   */
  editsAnswered?: readonly ScopedPolicy[];
  /** The edited policies the host's last edited-only read sent: the versions its next write answers. */
  editsSent?: readonly ScopedPolicy[] | undefined;
  /** PolicyScope.serial of the scope in which the host owes no edit: the idle read's synchronous gate. */
  editsSettledIn?: number;
  /** clock() when read from the store. */
  readonly loadedAt: number;
}

export type HostLoader = (nodeKey: string) => Promise<Host | undefined>;
export type Clock = () => number;

export interface HostCacheOptions {
  /** Max age of an entry while the change feed is not live (the fallback bound); 0 = no caching. */
  readonly ttlMs: number;
  /** Max age of an entry while the change feed is live (safety net); default ttlMs (no feed). */
  readonly maxAgeMs?: number;
  /** True while the change feed keeps this cache current. */
  readonly feedLive?: () => boolean;
  readonly maxEntries?: number;
  readonly clock?: Clock;
}

export const DEFAULT_HOST_CACHE_ENTRIES = 200_000;
/** Safety-net entry age when the change feed is live. */
export const DEFAULT_HOST_CACHE_MAX_AGE_MS = 600_000;

/** The age up to which an entry may be served now. */
function maxAgeOf(options: HostCacheOptions): () => number {
  const { ttlMs, feedLive } = options;
  const maxAgeMs = Math.max(ttlMs, options.maxAgeMs ?? ttlMs);
  if (ttlMs <= 0) return () => 0;
  if (feedLive === undefined || maxAgeMs === ttlMs) return () => ttlMs;
  return () => (feedLive() ? maxAgeMs : ttlMs);
}

export function toCachedHost(host: Host, loadedAt: number): CachedHost {
  return {
    id: host.id,
    nodeKey: host.nodeKey,
    teamId: host.teamId,
    platform: host.platform,
    hostname: host.hostname,
    osVersion: host.osVersion,
    detailUpdatedAt: host.detailUpdatedAt,
    policyUpdatedAt: host.policyUpdatedAt,
    labelUpdatedAt: host.labelUpdatedAt ?? LONG_AGO,
    refetchRequested: host.refetchRequested,
    distributedInterval: host.distributedInterval,
    loggerTlsPeriod: host.loggerTlsPeriod,
    configTlsRefresh: host.configTlsRefresh,
    loadedAt,
  };
}

/** The fields requests update in place, to notice a local update racing a refresh. */
function stampOf(entry: CachedHost): string {
  return `${entry.platform}|${entry.hostname}|${entry.detailUpdatedAt.getTime()}|${entry.policyUpdatedAt.getTime()}|${entry.labelUpdatedAt.getTime()}|${entry.refetchRequested}|${entry.distributedInterval}|${entry.loggerTlsPeriod}|${entry.configTlsRefresh}`;
}

export class HostCache {
  private readonly byNodeKey = new Map<string, CachedHost>();
  /**
   * Entries the change feed reported changed but could not re-read because the store was
   * unreachable: reloaded at their next use, and kept only as the stale fallback until then.
   */
  private readonly outdated = new Set<string>();
  private readonly nodeKeyById = new Map<number, string>();
  private readonly loading = new Map<string, Promise<CachedHost | undefined>>();
  private generation = 0;
  private readonly ttlMs: number;
  private readonly maxAge: () => number;
  /** How old an entry served while the store is unreachable may be. */
  private readonly staleIfUnavailableMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;
  hits = 0;
  misses = 0;
  /** Expired entries served because the store could not be reached. */
  servedStale = 0;
  invalidations = 0;

  constructor(private readonly load: HostLoader, options: HostCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxAge = maxAgeOf(options);
    this.staleIfUnavailableMs = options.ttlMs <= 0 ? 0 : Math.max(options.ttlMs, options.maxAgeMs ?? options.ttlMs);
    this.maxEntries = options.maxEntries ?? DEFAULT_HOST_CACHE_ENTRIES;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * The fresh cached entry for this node key (counted as a hit), or undefined without loading or
   * counting anything: the idle read's synchronous fast path, which falls back to get() on undefined.
   */
  fresh(nodeKey: string): CachedHost | undefined {
    const entry = this.byNodeKey.get(nodeKey);
    if (entry === undefined || this.outdated.has(nodeKey) || this.clock() - entry.loadedAt >= this.maxAge()) return undefined;
    this.hits += 1;
    return entry;
  }

  /** The host for this node key, from memory when fresh; undefined for an unknown key. */
  get(nodeKey: string): Promise<CachedHost | undefined> | CachedHost | undefined {
    const entry = this.byNodeKey.get(nodeKey);
    if (entry !== undefined && !this.outdated.has(nodeKey) && this.clock() - entry.loadedAt < this.maxAge()) {
      this.hits += 1;
      return entry;
    }
    this.misses += 1;
    const pending = this.loading.get(nodeKey);
    if (pending) return pending;
    const started = this.generation;
    const promise: Promise<CachedHost | undefined> = this.load(nodeKey).then(
      (host) => {
        if (this.loading.get(nodeKey) === promise) this.loading.delete(nodeKey);
        if (host === undefined) {
          this.remove(nodeKey);
          return undefined;
        }
        const fresh = toCachedHost(host, this.clock());
        if (started === this.generation && this.ttlMs > 0) this.put(fresh);
        return fresh;
      },
      (error: unknown) => {
        if (this.loading.get(nodeKey) === promise) this.loading.delete(nodeKey);
        const stale = this.byNodeKey.get(nodeKey);
        if (stale !== undefined && isOsqsimError(error, 'STORE_UNAVAILABLE') && this.clock() - stale.loadedAt < this.staleIfUnavailableMs) {
          this.servedStale += 1;
          return stale;
        }
        throw error;
      },
    );
    this.loading.set(nodeKey, promise);
    return promise;
  }

  /** The cached entry of a host, if any (no load). */
  peekById(hostId: number): CachedHost | undefined {
    const nodeKey = this.nodeKeyById.get(hostId);
    return nodeKey === undefined ? undefined : this.byNodeKey.get(nodeKey);
  }

  invalidateHost(hostId: number): void {
    this.invalidateHosts([hostId]);
  }

  /** Drops these hosts (changed or deleted elsewhere); loads in flight are not cached. */
  invalidateHosts(hostIds: Iterable<number>): void {
    this.generation += 1;
    this.loading.clear();
    for (const hostId of hostIds) {
      const nodeKey = this.nodeKeyById.get(hostId);
      if (nodeKey === undefined) continue;
      this.remove(nodeKey);
      this.invalidations += 1;
    }
  }

  /**
   * Brings cached hosts that changed elsewhere up to date with one store call (the change feed's
   * refresh), so the next request of such a host is still served from memory. Hosts not cached are
   * skipped. An entry that was updated in place or replaced while the read ran, or whose host is
   * gone, is dropped instead (reloaded on use); when the read fails, all of them are dropped — except
   * when the store is unreachable: they are then reloaded on use and kept as the stale fallback.
   */
  async refreshHosts(hostIds: Iterable<number>, fetch: (ids: number[]) => Promise<Host[]>): Promise<void> {
    this.generation += 1; // loads in flight may have read the row before the change
    this.loading.clear();
    const targets = new Map<number, { entry: CachedHost; stamp: string }>();
    for (const hostId of hostIds) {
      const entry = this.peekById(hostId);
      if (entry !== undefined) targets.set(hostId, { entry, stamp: stampOf(entry) });
    }
    if (targets.size === 0) return;
    let rows: Host[] | undefined;
    let unreachable = false;
    try {
      rows = await fetch([...targets.keys()]);
    } catch (error) {
      rows = undefined;
      unreachable = isOsqsimError(error, 'STORE_UNAVAILABLE');
    }
    const byId = new Map((rows ?? []).map((host) => [host.id, host]));
    const loadedAt = this.clock();
    for (const [hostId, { entry, stamp }] of targets) {
      this.invalidations += 1;
      const current = this.peekById(hostId);
      if (current !== entry) continue; // dropped or reloaded meanwhile
      const row = byId.get(hostId);
      if (unreachable && stampOf(current) === stamp) this.outdated.add(current.nodeKey);
      else if (row === undefined || stampOf(current) !== stamp) this.remove(current.nodeKey);
      else this.put(toCachedHost(row, loadedAt));
    }
  }

  clear(): void {
    this.generation += 1;
    this.loading.clear();
    this.byNodeKey.clear();
    this.nodeKeyById.clear();
    this.outdated.clear();
  }

  get size(): number {
    return this.byNodeKey.size;
  }

  private put(entry: CachedHost): void {
    const previousKey = this.nodeKeyById.get(entry.id);
    if (previousKey !== undefined && previousKey !== entry.nodeKey) this.byNodeKey.delete(previousKey);
    this.byNodeKey.delete(entry.nodeKey);
    this.outdated.delete(entry.nodeKey);
    this.byNodeKey.set(entry.nodeKey, entry);
    this.nodeKeyById.set(entry.id, entry.nodeKey);
    while (this.byNodeKey.size > this.maxEntries) {
      const oldest = this.byNodeKey.keys().next().value as string;
      this.remove(oldest);
    }
  }

  private remove(nodeKey: string): void {
    const entry = this.byNodeKey.get(nodeKey);
    if (!entry) return;
    this.byNodeKey.delete(nodeKey);
    this.outdated.delete(nodeKey);
    if (this.nodeKeyById.get(entry.id) === nodeKey) this.nodeKeyById.delete(entry.id);
  }
}

/** A policy as distributed/read needs it. */
export interface ScopedPolicy {
  readonly id: number;
  readonly query: string;
  /** Policy.queryChangedAt in ms (0 = unchanged since creation). */
  readonly queryChangedAt: number;
  /** Label scope (empty = none): the host must be in one include label (if any) and no exclude label. */
  readonly includeLabelIds: readonly number[];
  readonly excludeLabelIds: readonly number[];
}

export interface PolicyScope {
  /** Unique per load within its cache: a host's "owes no edit" holds for one loaded scope. */
  readonly serial: number;
  readonly policies: readonly ScopedPolicy[];
  readonly ids: ReadonlySet<number>;
  readonly loadedAt: number;
  /**
   * The policies an edit changed (queryChangedAt > 0) that have a query to send. Shared: a host that
   * answered every edit newer than its last run keeps a reference to this list, not a copy.
   */
  readonly edited: readonly ScopedPolicy[];
  /** The newest queryChangedAt of the scope's policies (0 = none edited): the idle read's cheap gate. */
  readonly lastQueryChange: number;
  /** Some policy has a label scope: the host's label membership decides which apply. */
  readonly labelScoped: boolean;
}

export type ScopeLoader = (teamId: number | null, fleetPlatform: string) => Promise<Policy[]>;

/** In-scope policies per (host team, Fleet platform), with the same staleness bound as HostCache. */
export class PolicyScopeCache {
  private readonly scopes = new Map<string, PolicyScope>();
  private readonly loading = new Map<string, Promise<PolicyScope>>();
  private generation = 0;
  private loads = 0;
  private readonly ttlMs: number;
  private readonly maxAge: () => number;
  /** As HostCache's: a scope is served past its age while the store cannot be reached. */
  private readonly staleIfUnavailableMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;
  servedStale = 0;

  constructor(private readonly load: ScopeLoader, options: HostCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxAge = maxAgeOf(options);
    this.staleIfUnavailableMs = options.ttlMs <= 0 ? 0 : Math.max(options.ttlMs, options.maxAgeMs ?? options.ttlMs);
    this.maxEntries = options.maxEntries ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  /** The fresh cached scope, or undefined without loading (the idle read's fast path). */
  fresh(teamId: number | null, fleetPlatform: string): PolicyScope | undefined {
    const entry = this.scopes.get(`${teamId ?? '-'}|${fleetPlatform}`);
    return entry !== undefined && this.clock() - entry.loadedAt < this.maxAge() ? entry : undefined;
  }

  get(teamId: number | null, fleetPlatform: string): Promise<PolicyScope> | PolicyScope {
    const key = `${teamId ?? '-'}|${fleetPlatform}`;
    const entry = this.scopes.get(key);
    if (entry !== undefined && this.clock() - entry.loadedAt < this.maxAge()) return entry;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const started = this.generation;
    const promise: Promise<PolicyScope> = this.load(teamId, fleetPlatform).then(
      (policies) => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
        const sorted = policies
          .map((policy) => {
            const labels = policyLabelIds(policy);
            return {
              id: policy.id,
              query: policy.query,
              queryChangedAt: policy.queryChangedAt?.getTime() ?? 0,
              includeLabelIds: labels.include,
              excludeLabelIds: labels.exclude,
            };
          })
          .sort((a, b) => a.id - b.id);
        const scope: PolicyScope = {
          serial: ++this.loads,
          policies: sorted,
          ids: new Set(sorted.map((policy) => policy.id)),
          loadedAt: this.clock(),
          edited: sorted.filter((policy) => policy.queryChangedAt > 0 && policy.query.trim() !== ''),
          lastQueryChange: sorted.reduce((latest, policy) => Math.max(latest, policy.queryChangedAt), 0),
          labelScoped: sorted.some((policy) => policy.includeLabelIds.length > 0 || policy.excludeLabelIds.length > 0),
        };
        if (started === this.generation && this.ttlMs > 0) {
          this.scopes.delete(key);
          this.scopes.set(key, scope);
          while (this.scopes.size > this.maxEntries) this.scopes.delete(this.scopes.keys().next().value as string);
        }
        return scope;
      },
      (error: unknown) => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
        const stale = this.scopes.get(key);
        if (stale !== undefined && isOsqsimError(error, 'STORE_UNAVAILABLE') && this.clock() - stale.loadedAt < this.staleIfUnavailableMs) {
          this.servedStale += 1;
          return stale;
        }
        throw error;
      },
    );
    this.loading.set(key, promise);
    return promise;
  }

  clear(): void {
    this.generation += 1;
    this.loading.clear();
    this.scopes.clear();
  }
}
