/**
 * Keeps this instance's hot-path caches current with changes made elsewhere (DESIGN §3 Hot path,
 * §7 Scale-out): polls Store.hostChangesSince every `intervalMs` (one store round trip per
 * instance per poll, whatever the number of hosts) and drops changed and deleted hosts from the
 * HostCache, and every policy scope when the policies version moved. While polls succeed the
 * caches may keep entries for their long safety TTL; see ./host-cache.ts for the staleness bound.
 */
import type { Logger } from 'pino';
import type { BackgroundJob } from '../context.js';
import type { Counter } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { Clock, HostCache, PolicyScopeCache } from './host-cache.js';

export const DEFAULT_HOST_FEED_INTERVAL_MS = 1_000;

export interface HostChangeFeedOptions {
  /** Poll period; 0 = no feed (the caches use their short TTL). */
  readonly intervalMs: number;
  /** The feed counts as live while its last successful poll started less than this long ago. */
  readonly liveWindowMs: number;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly polls?: Counter;
  readonly invalidations?: Counter;
}

/** What one poll found: hosts changed or deleted elsewhere, or reset (too far behind: drop everything). */
export interface HostFeedChange {
  readonly reset: boolean;
  readonly hostIds: readonly number[];
}

export class HostChangeFeed implements BackgroundJob {
  readonly name = 'host-change-feed';
  private cursor: string | undefined;
  private policiesVersion: string | undefined;
  /** clock() when the last successful poll was sent. */
  private lastSuccessAt = Number.NEGATIVE_INFINITY;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly clock: Clock;
  private lastErrorLog = 0;

  constructor(
    private readonly store: Pick<Store, 'hostChangesSince' | 'getHosts'>,
    readonly hosts: HostCache,
    readonly scopes: PolicyScopeCache,
    private readonly options: HostChangeFeedOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  private readonly listeners: Array<(change: HostFeedChange) => void> = [];

  /** Also tell this listener what each poll found (other caches keyed by host: server/orbit/auth-cache.ts). */
  onChange(listener: (change: HostFeedChange) => void): void {
    this.listeners.push(listener);
  }

  /** True while polls keep up: the caches may serve entries for their long TTL. */
  live(): boolean {
    return this.running && this.clock() - this.lastSuccessAt < this.options.liveWindowMs;
  }

  start(): void {
    if (this.running || this.options.intervalMs <= 0) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** One poll now (tests); resolves when its invalidations are applied. */
  async poll(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.pollOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => {
        if (this.running) this.schedule(this.options.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async pollOnce(): Promise<void> {
    const sentAt = this.clock();
    try {
      const changes = await this.store.hostChangesSince(this.cursor);
      for (const listener of this.listeners) {
        listener(changes.reset ? { reset: true, hostIds: [] } : { reset: false, hostIds: [...changes.changedHostIds, ...changes.deletedHostIds] });
      }
      if (changes.reset) {
        this.hosts.clear();
        this.scopes.clear();
      } else {
        const before = this.hosts.invalidations;
        if (changes.deletedHostIds.length > 0) this.hosts.invalidateHosts(changes.deletedHostIds);
        if (changes.changedHostIds.length > 0) {
          await this.hosts.refreshHosts(changes.changedHostIds, (ids) => this.store.getHosts(ids));
        }
        this.options.invalidations?.inc({}, this.hosts.invalidations - before);
        if (this.policiesVersion !== undefined && changes.policiesVersion !== this.policiesVersion) this.scopes.clear();
      }
      this.policiesVersion = changes.policiesVersion;
      this.cursor = changes.cursor;
      this.lastSuccessAt = sentAt;
      this.options.polls?.inc({ outcome: 'ok' });
    } catch (error) {
      this.options.polls?.inc({ outcome: 'error' });
      const now = this.clock();
      if (now - this.lastErrorLog > 10_000) {
        this.lastErrorLog = now;
        this.options.log?.warn({ err: error }, 'host change feed poll failed; the host cache falls back to its short TTL');
      }
    }
  }
}

/** The feed job of a built server (tests, benches), if the osquery plugin registered one. */
export function hostFeedOf(context: { readonly jobs: readonly BackgroundJob[] }): HostChangeFeed | undefined {
  return context.jobs.find((job): job is HostChangeFeed => job instanceof HostChangeFeed);
}
