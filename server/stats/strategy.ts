/**
 * The count-strategy interface. Each strategy (cron.ts, realtime.ts, incremental.ts) provides the
 * reader the REST API uses (context.counts) and, optionally, periodic work that must run on one
 * instance at a time — the runner (runner.ts) holds the lease while it runs and records each run.
 */
import type { Logger } from 'pino';
import type { CountReader } from '../context.js';
import type { ServerEvents } from '../events.js';
import type { MetricsRegistry } from '../metrics.js';
import type { StatsStrategyName } from '../../contract/vocabulary.js';
import type { Store } from '../store/store.js';

/** What one periodic run did; the runner adds strategy, instance, start and duration. */
export interface StatsRunOutcome {
  readonly rowsScanned: number;
  readonly policiesUpdated: number;
  /** Cells whose stored count differed from the recomputed one (0 for strategies that overwrite). */
  readonly drift: number;
}

export interface CountStrategy {
  readonly name: StatsStrategyName;
  readonly reader: CountReader;
  /** Periodic work (cron: aggregation; incremental: reconcile); undefined when there is none. */
  readonly periodic?: () => Promise<StatsRunOutcome>;
  /** Starts timers (listeners are attached at construction so no event is missed). */
  start(): void;
  /** Stops timers and persists pending work. */
  stop(): Promise<void>;
  /** Persists everything pending now (incremental); a no-op for others. For tests and benchmarks. */
  flush(): Promise<void>;
}

export interface StrategyDeps {
  readonly store: Store;
  readonly events: ServerEvents;
  readonly log?: Logger;
  readonly metrics?: MetricsRegistry;
  now(): Date;
}

/** Count rows are upserted in batches of this many (no long transactions). */
export const UPSERT_BATCH_ROWS = 500;
