/**
 * Runs a strategy's periodic work on one instance at a time, holding a lease in `locks`
 * (reference fleet-policies.md §5.2: extend if owned, take over if expired, create if absent).
 *
 * Every instance ticks every interval (the first tick after min(10 s, interval), as Fleet). A tick
 * takes the lease, skips if another instance already ran this interval (the last recorded run of
 * the same strategy started less than 80 % of an interval ago), runs the work while extending the
 * lease every 80 % of its TTL, records the run and releases the lease. When the lease is held
 * elsewhere the instance retries every half TTL, so if the holder dies mid-run another instance
 * takes over within one lease period after the lease expires.
 */
import type { Logger } from 'pino';
import type { BackgroundJob } from '../context.js';
import type { MetricsRegistry } from '../metrics.js';
import type { Store } from '../store/store.js';
import type { StatsRun } from '../store/types.js';
import type { StatsRunOutcome } from './strategy.js';

export const STATS_LEASE_NAME = 'osqsim_stats';

/** Aggregations can take minutes at 10M rows; buckets from 1 ms to 30 min. */
export const AGGREGATION_BUCKETS_S: readonly number[] = [
  0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
];

export interface LeaseRunnerOptions {
  readonly strategy: string;
  readonly work: () => Promise<StatsRunOutcome>;
  readonly store: Store;
  readonly instanceId: string;
  readonly intervalMs: number;
  /** Lease time-to-live; default min(interval, 60 s), at least 1 s. */
  readonly leaseTtlMs?: number;
  /** Delay before the first tick; default min(10 s, interval). */
  readonly firstTickMs?: number;
  readonly leaseName?: string;
  readonly log?: Logger;
  readonly metrics?: MetricsRegistry;
  now(): Date;
}

export type TickResult = 'ran' | 'held-elsewhere' | 'recently-run' | 'failed';

export class LeaseRunner implements BackgroundJob {
  readonly name = 'stats-runner';
  readonly leaseTtlMs: number;
  private readonly leaseName: string;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<TickResult> | undefined;
  private stopped = true;
  private readonly metrics: RunnerMetrics | undefined;

  constructor(private readonly options: LeaseRunnerOptions) {
    this.leaseTtlMs = Math.max(1000, options.leaseTtlMs ?? Math.min(options.intervalMs, 60_000));
    this.leaseName = options.leaseName ?? STATS_LEASE_NAME;
    this.metrics = options.metrics ? new RunnerMetrics(options.metrics) : undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.firstTickMs ?? Math.min(10_000, this.options.intervalMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  /** One attempt: take the lease, run unless someone ran recently, record, release. */
  tick(): Promise<TickResult> {
    if (this.current) return this.current;
    this.current = this.attempt().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick().then((result) => {
        const retry = result === 'held-elsewhere' || result === 'failed';
        this.schedule(retry ? Math.min(this.options.intervalMs, this.leaseTtlMs / 2) : this.options.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async attempt(): Promise<TickResult> {
    const { store, instanceId, strategy, log } = this.options;
    let held: boolean;
    try {
      held = await store.acquireLease(this.leaseName, instanceId, this.leaseTtlMs);
    } catch (error) {
      log?.warn({ err: error }, 'stats lease: acquire failed');
      return 'failed';
    }
    this.metrics?.leaseHeld.set(held ? 1 : 0, { strategy });
    if (!held) return 'held-elsewhere';
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      const recent = (await store.listStatsRuns(20)).find((run) => run.strategy === strategy);
      const now = this.options.now();
      if (recent && now.getTime() - recent.startedAt.getTime() < this.options.intervalMs * 0.8) return 'recently-run';
      heartbeat = setInterval(() => {
        store.acquireLease(this.leaseName, instanceId, this.leaseTtlMs).then(
          (extended) => {
            if (!extended) log?.warn({ lease: this.leaseName }, 'stats lease lost while running');
          },
          (error: unknown) => log?.warn({ err: error }, 'stats lease: extend failed'),
        );
      }, this.leaseTtlMs * 0.8);
      heartbeat.unref();
      const startedAt = this.options.now();
      const started = performance.now();
      const outcome = await this.options.work();
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      const run: StatsRun = { strategy, instance: instanceId, startedAt, durationMs, ...outcome };
      await store.recordStatsRun(run);
      this.metrics?.record(run);
      return 'ran';
    } catch (error) {
      log?.error({ err: error, strategy }, 'stats run failed');
      this.metrics?.runs.inc({ strategy, outcome: 'error' });
      return 'failed';
    } finally {
      if (heartbeat) clearInterval(heartbeat);
      await store.releaseLease(this.leaseName, instanceId).catch((error: unknown) => {
        log?.warn({ err: error }, 'stats lease: release failed');
      });
      this.metrics?.leaseHeld.set(0, { strategy });
    }
  }
}

/** The stats metrics, registered once per registry. */
export class RunnerMetrics {
  readonly duration;
  readonly runs;
  readonly lastDrift;
  readonly lastRows;
  readonly leaseHeld;
  constructor(registry: MetricsRegistry) {
    this.duration = registry.histogram(
      'osqsim_stats_aggregation_duration_seconds',
      'Duration of policy count runs (cron aggregation, incremental reconcile)',
      AGGREGATION_BUCKETS_S,
    );
    this.runs = registry.counter('osqsim_stats_runs_total', 'Policy count runs by strategy and outcome');
    this.lastDrift = registry.gauge('osqsim_stats_last_drift', 'Count cells found wrong and repaired by the last run');
    this.lastRows = registry.gauge('osqsim_stats_last_rows_scanned', 'policy_membership rows read by the last run');
    this.leaseHeld = registry.gauge('osqsim_stats_lease_held', '1 while this instance holds the stats lease');
  }
  record(run: StatsRun): void {
    const labels = { strategy: run.strategy };
    this.duration.observe(run.durationMs / 1000, labels);
    this.runs.inc({ strategy: run.strategy, outcome: 'ok' });
    this.lastDrift.set(run.drift, labels);
    this.lastRows.set(run.rowsScanned, labels);
  }
}
