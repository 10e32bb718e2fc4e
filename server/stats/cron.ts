/**
 * `cron`: Fleet's way (reference fleet-policies.md §5.3). Every interval, recompute the overall
 * count of every policy and the per-team counts of global policies (teams N and 0 = No team), and
 * upsert them into policy_stats; host_count_updated_at becomes the time of the run. The counts are
 * read with plain SELECTs (store.computePolicyCounts, no locks on policy_membership — never
 * `INSERT … SELECT`, which stalled Fleet's result writes for 30–210 s) and written in small
 * batches without a transaction. Reads come from policy_stats, so they are as old as the last run.
 */
import type { CountStrategy, StatsRunOutcome, StrategyDeps } from './strategy.js';
import { UPSERT_BATCH_ROWS } from './strategy.js';
import { batches, cellKey, type CountCell } from './counts.js';
import { isOsqsimError } from '../../lib/errors.js';

export function createCronStrategy(deps: StrategyDeps): CountStrategy {
  const { store } = deps;

  async function aggregate(): Promise<StatsRunOutcome> {
    const runAt = deps.now();
    const { counts, rowsScanned } = await store.computePolicyCounts();
    // Cells left from a deleted team (or a team that lost its hosts) are set to 0, not left stale.
    const computed = new Set(counts.map((cell) => cellKey(cell.policyId, cell.inheritedTeamId)));
    const policies = new Set(counts.map((cell) => cell.policyId));
    const stale: CountCell[] = (await store.readPolicyCounts())
      .filter((row) => policies.has(row.policyId) && !computed.has(cellKey(row.policyId, row.inheritedTeamId)))
      .filter((row) => row.passing !== 0 || row.failing !== 0)
      .map((row) => ({ policyId: row.policyId, inheritedTeamId: row.inheritedTeamId, passing: 0, failing: 0 }));
    await upsertInBatches(deps, [...counts, ...stale], runAt);
    return { rowsScanned, policiesUpdated: policies.size, drift: 0 };
  }

  return {
    name: 'cron',
    reader: { readCounts: (policyIds) => store.readPolicyCounts(policyIds) },
    periodic: aggregate,
    start() {},
    async stop() {},
    async flush() {},
  };
}

/**
 * Upserts in small batches, no transaction. A batch that fails (say a policy was deleted between
 * the SELECT and the upsert) is retried row by row and the failing rows are logged and skipped, as
 * Fleet does.
 */
export async function upsertInBatches(deps: StrategyDeps, cells: readonly CountCell[], updatedAt: Date): Promise<void> {
  for (const batch of batches(cells, UPSERT_BATCH_ROWS)) {
    try {
      await deps.store.upsertPolicyCounts(batch, updatedAt);
    } catch (batchError) {
      if (isOsqsimError(batchError, 'STORE_UNAVAILABLE')) throw batchError;
      if (batch.length === 1) {
        deps.log?.warn({ err: batchError, policyId: batch[0]!.policyId }, 'policy count upsert failed; skipped');
        continue;
      }
      for (const cell of batch) {
        try {
          await deps.store.upsertPolicyCounts([cell], updatedAt);
        } catch (error) {
          deps.log?.warn({ err: error, policyId: cell.policyId }, 'policy count upsert failed; skipped');
        }
      }
    }
  }
}
