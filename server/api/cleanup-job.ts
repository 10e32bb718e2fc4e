/**
 * Edits without stalls (reference fleet-policies.md §6.4): when a policy's query or platform
 * changes, its old membership rows must go, but deleting 150k rows in the request (or in one
 * transaction) blocks result ingestion. This job removes them in small batches off the request
 * path, pausing between batches so ingest batches interleave, and announces each removed batch
 * as `membershipChanged`. This is osqsim's deliberate improvement on Fleet: Fleet deletes them
 * while handling the PATCH, in SavePolicy (server/datastore/mysql/policies.go, cleanupPolicy): on
 * a query change every row of the policy (cleanupPolicyMembershipForPolicy, `DELETE … WHERE
 * policy_id = ?`; the 2026 code in batches of 500), on a platform change the rows of hosts on
 * other platforms (cleanupPolicyMembershipOnPolicyUpdate), then `DELETE FROM policy_stats WHERE
 * policy_id = ?`. Hosts are not told either way: they re-run the policy at their normal interval.
 *
 * Window: between the edit and the end of the clean-up, old rows still exist. For a query change the
 * API answers as if they were gone: counts read 0/0/null (whatever the count strategy or an
 * aggregation that ran meanwhile), `GET /hosts?policy_id=` lists no passing/failing hosts, and the
 * host detail hides rows older than the edit (`staleBefore`). When the job finishes it deletes the
 * stats again. For a platform change, rows of hosts on other platforms stay visible in the policy
 * filter of `GET /hosts` until removed (hosts' own detail views never show out-of-scope policies).
 * On MySQL the clean-up of 150 000 rows takes tens of seconds under load (paced to ≤ 50% duty).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BackgroundJob, ServerContext } from '../context.js';
import type { Counter, Gauge } from '../metrics.js';

export interface CleanupTask {
  /** undefined = remove every row (query changed); a list = keep rows of hosts on these Fleet platforms. */
  readonly keepPlatforms: string | undefined;
  /**
   * When the edit happened: rows older than this are stale; rows written after it (hosts answering
   * the edited policy) are kept by the clean-up.
   */
  readonly editedAt: Date;
}

export interface CleanupJobOptions {
  readonly batchSize?: number;
  /** Shortest pause between batches, so ingest transactions get the table in between. */
  readonly pauseMs?: number;
  /**
   * Adaptive pacing: after a batch that took T ms, pause at least `pauseFactor × T` ms, so the
   * clean-up holds the database for at most 1 / (1 + pauseFactor) of the time whatever the load.
   */
  readonly pauseFactor?: number;
  /** How long stop() keeps draining before giving up (remaining work is logged). */
  readonly stopDrainMs?: number;
}

export class MembershipCleanupJob implements BackgroundJob {
  readonly name = 'policy-membership-cleanup';
  private readonly pending = new Map<number, CleanupTask>();
  private readonly batchSize: number;
  private readonly pauseMs: number;
  private readonly pauseFactor: number;
  private readonly stopDrainMs: number;
  private started = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  private paused = false;
  private resumeWaiters: Array<() => void> = [];
  /** Rows removed since start (for tests, benchmarks and logs). */
  rowsRemoved = 0;
  batches = 0;
  private readonly rowsMetric: Counter;
  private readonly batchesMetric: Counter;
  private readonly pendingMetric: Gauge;

  constructor(private readonly context: ServerContext, options: CleanupJobOptions = {}) {
    this.batchSize = options.batchSize ?? 500;
    this.pauseMs = options.pauseMs ?? 5;
    this.pauseFactor = options.pauseFactor ?? 1;
    this.stopDrainMs = options.stopDrainMs ?? 10_000;
    const { metrics } = context;
    this.rowsMetric = metrics.counter('osqsim_edit_cleanup_rows_total', 'Membership rows removed after policy query/platform edits');
    this.batchesMetric = metrics.counter('osqsim_edit_cleanup_batches_total', 'Edit clean-up batches run');
    this.pendingMetric = metrics.gauge('osqsim_edit_cleanup_pending_policies', 'Edited policies whose old membership rows are still being removed');
    this.pendingMetric.set(0);
  }

  /** Schedules the clean-up of one edited policy; a query change wins over a platform change. */
  enqueue(policyId: number, change: { queryChanged: boolean; platforms: string }, editedAt: Date): void {
    const previous = this.pending.get(policyId);
    const full = change.queryChanged || (previous !== undefined && previous.keepPlatforms === undefined);
    this.pending.set(policyId, {
      keepPlatforms: full ? undefined : change.platforms,
      editedAt,
    });
    this.pendingMetric.set(this.pending.size);
    this.kick();
  }

  /** The pending full clean-up of a policy, if any: rows older than `editedAt` are stale. */
  staleBefore(policyId: number): Date | undefined {
    const task = this.pending.get(policyId);
    return task && task.keepPlatforms === undefined ? task.editedAt : undefined;
  }

  get pendingPolicies(): number {
    return this.pending.size;
  }

  start(): void {
    this.started = true;
    this.stopping = false;
    this.kick();
  }

  /** Holds the clean-up after the current batch until resume() (benchmarks interleave on/off windows). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const waiters = this.resumeWaiters;
    this.resumeWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.resume();
    const drained = this.whenIdle();
    // Cancelled once the race is decided: a pending drain timer would hold the event loop (and
    // every SIGTERM) for stopDrainMs after everything else has closed.
    const cancel = new AbortController();
    const timer = sleep(this.stopDrainMs, 'timeout' as const, { signal: cancel.signal }).catch(() => 'cancelled' as const);
    const outcome = await Promise.race([drained.then(() => 'drained' as const), timer]);
    cancel.abort();
    this.stopping = true;
    if (this.loop) await this.loop;
    this.started = false;
    if (outcome === 'timeout' && this.pending.size > 0) {
      this.context.log.warn({ policies: [...this.pending.keys()] }, 'policy membership clean-up unfinished at shutdown');
    }
  }

  /** Resolves when nothing is pending (immediately if idle). */
  whenIdle(): Promise<void> {
    if (this.pending.size === 0 && this.loop === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick(): void {
    if (!this.started || this.stopping || this.loop !== undefined || this.pending.size === 0) return;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
      if (this.pending.size > 0 && !this.stopping && this.started) this.kick();
      else if (this.pending.size === 0) this.notifyIdle();
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async run(): Promise<void> {
    const { store, events, log } = this.context;
    while (!this.stopping) {
      if (this.paused) {
        await new Promise<void>((resolve) => this.resumeWaiters.push(resolve));
        continue;
      }
      const next = this.pending.entries().next();
      if (next.done) return;
      const [policyId, task] = next.value;
      const batchStart = performance.now();
      try {
        // Rows stamped in the edit's millisecond count as stale (an answer to the edited query comes later).
        const olderThan = new Date(task.editedAt.getTime() + 1);
        const removed = await store.clearPolicyMembershipBatch(policyId, this.batchSize, task.keepPlatforms, olderThan);
        this.batches += 1;
        this.rowsRemoved += removed.length;
        this.batchesMetric.inc();
        this.rowsMetric.inc({}, removed.length);
        if (removed.length > 0) events.emit('membershipChanged', removed);
        if (removed.length === 0 && this.pending.get(policyId) === task) {
          // Finished: drop counts an aggregation may have computed from stale rows in the meantime.
          await store.deletePolicyCounts(policyId);
          if (this.pending.get(policyId) === task) this.pending.delete(policyId);
          this.pendingMetric.set(this.pending.size);
          events.emit('policiesChanged', [policyId]);
        } else if (this.pending.size > 1) {
          // Round-robin between edited policies so one huge clean-up does not starve the others.
          const current = this.pending.get(policyId);
          if (current) {
            this.pending.delete(policyId);
            this.pending.set(policyId, current);
          }
        }
      } catch (error) {
        log.warn({ err: error, policyId }, 'policy membership clean-up batch failed; retrying');
        await sleep(1000);
      }
      const pause = Math.max(this.pauseMs, this.pauseFactor * (performance.now() - batchStart));
      if (pause > 0) await sleep(pause);
    }
  }
}
