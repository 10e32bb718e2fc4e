/**
 * `incremental`: counts kept exact by deltas. Every membership change the server makes (ingest,
 * host delete, re-enroll, team move, clean-up after a policy edit — all announced as
 * 'membershipChanged') moves the pending deltas; they are persisted with addPolicyCountDeltas at
 * most once per flush interval (1 s). Reads return persisted + pending, so on this instance a write
 * is visible as soon as it is acknowledged; other instances see it after the next flush.
 *
 * A created, edited or deleted policy ('policiesChanged') is marked dirty: its deltas are ignored
 * and the next flush recomputes its cells from policy_membership (or, if deleted, drops them).
 *
 * The periodic reconcile (under the lease) recomputes every cell, counts the cells whose stored
 * value differs (drift) and repairs them. Policies that changed while it ran are left for the next
 * reconcile, since the snapshot may or may not include those changes. Deltas of other instances
 * that are not yet flushed when the reconcile reads are the one race it cannot see; they show up as
 * drift in the following reconcile.
 */
import type { MembershipChange, PolicyCount } from '../store/types.js';
import { upsertInBatches } from './cron.js';
import { addCells, cellKey, DeltaBuffer, diffCells, type CountCell } from './counts.js';
import { ReadWriteLock } from './rwlock.js';
import type { CountStrategy, StatsRunOutcome, StrategyDeps } from './strategy.js';

/** Recomputes of one policy in a row while deltas keep arriving, before leaving it to the reconcile. */
export const MAX_RESYNC_ATTEMPTS = 5;

export interface IncrementalOptions {
  /** Pending deltas are persisted at most this often (default 1000 ms). */
  readonly flushIntervalMs?: number;
}

export interface IncrementalStrategy extends CountStrategy {
  /** Raw (policy, team) delta entries not yet persisted. */
  pendingEntries(): number;
}

export function createIncrementalStrategy(deps: StrategyDeps, options: IncrementalOptions = {}): IncrementalStrategy {
  const { store, events } = deps;
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  const lock = new ReadWriteLock();
  let pending = new DeltaBuffer();
  /** Policy id → its team (null = global); a policy's team never changes. */
  const scopes = new Map<number, number | null>();
  let scopesLoaded = false;
  const deleted = new Set<number>();
  const dirty = new Set<number>();
  /** Policies touched while a reconcile runs (their comparison is skipped). */
  let touched: Set<number> | undefined;
  /** Policies being recomputed, and those that got deltas meanwhile (the snapshot may hold them or not). */
  let resyncing: Set<number> | undefined;
  const touchedWhileResyncing = new Set<number>();
  const resyncAttempts = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  let lastFlushAt = 0;
  let stopped = false;
  const pendingGauge = deps.metrics?.gauge('osqsim_stats_pending_deltas', 'Policy count deltas not yet persisted (incremental strategy)');
  const flushHistogram = deps.metrics?.histogram('osqsim_stats_flush_duration_seconds', 'Time to persist pending count deltas (incremental strategy)');

  function onMembershipChanged(changes: readonly MembershipChange[]): void {
    let added = false;
    for (const change of changes) {
      if (deleted.has(change.policyId)) continue;
      touched?.add(change.policyId);
      if (resyncing?.has(change.policyId)) touchedWhileResyncing.add(change.policyId);
      if (dirty.has(change.policyId)) continue;
      if (pending.add(change)) added = true;
    }
    if (added) {
      pendingGauge?.set(pending.size);
      scheduleFlush();
    }
  }

  function onPoliciesChanged(policyIds: readonly number[]): void {
    for (const policyId of policyIds) {
      pending.drop(policyId);
      dirty.add(policyId);
      touched?.add(policyId);
    }
    scheduleFlush();
  }

  events.on('membershipChanged', onMembershipChanged);
  events.on('policiesChanged', onPoliciesChanged);

  function scheduleFlush(): void {
    if (stopped || timer) return;
    const delay = Math.max(0, lastFlushAt + flushIntervalMs - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch((error: unknown) => {
        deps.log?.warn({ err: error }, 'persisting policy count deltas failed; will retry');
        scheduleFlush();
      });
    }, delay);
    timer.unref();
  }

  async function ensureScopes(policyIds: readonly number[]): Promise<void> {
    if (!scopesLoaded) {
      for (const policy of await store.listAllPolicies()) scopes.set(policy.id, policy.teamId);
      scopesLoaded = true;
    }
    for (const policyId of policyIds) {
      if (scopes.has(policyId) || deleted.has(policyId)) continue;
      const policy = await store.getPolicy(policyId);
      if (policy) scopes.set(policyId, policy.teamId);
      else markDeleted(policyId);
    }
  }

  function markDeleted(policyId: number): void {
    deleted.add(policyId);
    scopes.delete(policyId);
    pending.drop(policyId);
  }

  function scopeOf(policyId: number): number | null | undefined {
    return deleted.has(policyId) ? undefined : scopes.get(policyId);
  }

  /**
   * Recomputes dirty policies from policy_membership (absolute values). Call under the write lock.
   * A delta that arrives while the recompute runs may or may not be in its snapshot (the event
   * follows the commit), so such a policy is recomputed again at the next flush, up to
   * MAX_RESYNC_ATTEMPTS times in a row; after that the reconcile measures and repairs what is left.
   */
  async function resyncDirty(): Promise<void> {
    if (dirty.size === 0) return;
    const policyIds = [...dirty];
    // From here on their deltas count again: the snapshot below starts after this point.
    dirty.clear();
    resyncing = new Set(policyIds);
    touchedWhileResyncing.clear();
    try {
      await recompute(policyIds);
    } finally {
      resyncing = undefined;
    }
    for (const policyId of policyIds) {
      const attempts = (resyncAttempts.get(policyId) ?? 0) + 1;
      if (touchedWhileResyncing.has(policyId) && !deleted.has(policyId) && attempts < MAX_RESYNC_ATTEMPTS) {
        resyncAttempts.set(policyId, attempts);
        pending.drop(policyId);
        dirty.add(policyId);
      } else {
        resyncAttempts.delete(policyId);
      }
    }
    touchedWhileResyncing.clear();
    if (dirty.size > 0) scheduleFlush();
  }

  async function recompute(policyIds: readonly number[]): Promise<void> {
    const live: number[] = [];
    for (const policyId of policyIds) {
      const policy = await store.getPolicy(policyId);
      if (policy) {
        scopes.set(policyId, policy.teamId);
        deleted.delete(policyId);
        live.push(policyId);
      } else {
        markDeleted(policyId);
        await store.deletePolicyCounts(policyId);
      }
    }
    if (live.length === 0) return;
    const { counts } = await store.computePolicyCounts(live);
    const computed = new Set(counts.map((cell) => cellKey(cell.policyId, cell.inheritedTeamId)));
    const leftovers = (await store.readPolicyCounts(live))
      .filter((row) => !computed.has(cellKey(row.policyId, row.inheritedTeamId)))
      .map((row) => ({ policyId: row.policyId, inheritedTeamId: row.inheritedTeamId, passing: 0, failing: 0 }));
    await upsertInBatches(deps, [...counts, ...leftovers], deps.now());
  }

  /** Persists the pending deltas. Call under the write lock. */
  async function persistPending(): Promise<void> {
    await resyncDirty();
    if (pending.size === 0) return;
    const batch = pending;
    pending = new DeltaBuffer();
    try {
      await ensureScopes(batch.policyIds());
      const cells = batch.toCells(scopeOf);
      if (cells.length > 0) await store.addPolicyCountDeltas(cells, deps.now());
    } catch (error) {
      batch.mergeInto(pending);
      throw error;
    } finally {
      pendingGauge?.set(pending.size);
    }
  }

  async function flush(): Promise<void> {
    lastFlushAt = Date.now();
    const started = performance.now();
    await lock.write(persistPending);
    flushHistogram?.observe((performance.now() - started) / 1000);
  }

  async function readCounts(policyIds?: readonly number[]): Promise<PolicyCount[]> {
    return lock.read(async () => {
      const persisted = await store.readPolicyCounts(policyIds);
      await ensureScopes(pending.policyIds());
      const wanted = policyIds ? new Set(policyIds) : undefined;
      const deltas = pending.toCells(scopeOf).filter((cell) => !wanted || wanted.has(cell.policyId));
      const readAt = deps.now();
      return addCells(
        persisted.filter((row) => !deleted.has(row.policyId)),
        deltas,
        readAt,
      ).map((row) => ({ ...row, updatedAt: readAt }));
    });
  }

  async function reconcile(): Promise<StatsRunOutcome> {
    touched = new Set();
    try {
      await flush();
      const { counts, rowsScanned } = await store.computePolicyCounts();
      return await lock.write(async () => {
        await persistPending();
        const skip = (policyId: number): boolean => touched!.has(policyId) || dirty.has(policyId) || deleted.has(policyId);
        const computedPolicies = new Set(counts.map((cell) => cell.policyId));
        const expected: CountCell[] = counts.filter((cell) => !skip(cell.policyId));
        const stored = (await store.readPolicyCounts()).filter(
          (row) => computedPolicies.has(row.policyId) && !skip(row.policyId),
        );
        const differences = diffCells(expected, stored);
        if (differences.length > 0) {
          deps.log?.warn({ cells: differences.length }, 'incremental policy counts drifted; repaired');
          await upsertInBatches(deps, differences.map((difference) => difference.expected), deps.now());
        }
        return {
          rowsScanned,
          policiesUpdated: new Set(differences.map((difference) => difference.expected.policyId)).size,
          drift: differences.length,
        };
      });
    } finally {
      touched = undefined;
    }
  }

  return {
    name: 'incremental',
    reader: { readCounts },
    periodic: reconcile,
    pendingEntries: () => pending.size,
    start() {
      stopped = false;
      if (pending.size > 0 || dirty.size > 0) scheduleFlush();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await flush();
    },
    flush,
  };
}
