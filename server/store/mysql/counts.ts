/** Policy counts (Fleet: policy_stats, updated by the stats cron): computed from membership, stored, read. */
import type { CountRow } from '../common.js';
import type { ComputedCounts } from '../store.js';
import type { PolicyCount } from '../types.js';
import { type Db, exec, readRows, run } from './db.js';
import { chunks, ids } from './sql.js';

/** Rows per count upsert: small statements, no long transaction. */
const COUNT_ROWS = 500;

/**
 * Counts of existing hosts only (rows of deleted hosts are never counted), read with one plain
 * consistent-read scan of policy_membership that locks nothing and joins nothing: rows carry
 * their host's team (host_team_id: 0 = no team, NULL = no such host, not counted), so
 * `GROUP BY policy_id, host_team_id` gives every scope at once; overall and inherited rows are
 * summed here. A subset of policies reads only those policies' primary-key ranges.
 */
export async function computePolicyCounts(db: Db, policyIds?: readonly number[]): Promise<ComputedCounts> {
  return run(async () => {
    const policies = policyIds === undefined
      ? await readRows(db, 'SELECT id, team_id FROM policies ORDER BY id')
      : policyIds.length === 0
        ? []
        : await readRows(db, 'SELECT id, team_id FROM policies WHERE id IN (?) ORDER BY id', [ids(policyIds)]);
    if (policies.length === 0) return { counts: [], rowsScanned: 0 };
    const teams = (await readRows(db, 'SELECT id FROM teams ORDER BY id')).map((r) => Number(r.id));
    const scan = `SELECT policy_id, host_team_id AS team_id, SUM(passes = 1) AS passing, SUM(passes = 0) AS failing, COUNT(*) AS n
                    FROM policy_membership`;
    const groups = (policyIds === undefined
      ? await readRows(db, `${scan} GROUP BY policy_id, host_team_id ORDER BY NULL`)
      : await readRows(db, `${scan} WHERE policy_id IN (?) GROUP BY policy_id, host_team_id ORDER BY NULL`, [
        policies.map((p) => Number(p.id)),
      ])
    ).filter((r) => r.team_id !== null);
    const overall = new Map<number, { passing: number; failing: number }>();
    const perTeam = new Map<string, { passing: number; failing: number }>();
    let rowsScanned = 0;
    for (const r of groups) {
      const policyId = Number(r.policy_id);
      const passing = Number(r.passing ?? 0);
      const failing = Number(r.failing ?? 0);
      rowsScanned += Number(r.n);
      const total = overall.get(policyId) ?? { passing: 0, failing: 0 };
      overall.set(policyId, { passing: total.passing + passing, failing: total.failing + failing });
      perTeam.set(`${policyId}:${Number(r.team_id)}`, { passing, failing });
    }
    const scopes = [0, ...teams];
    const counts: CountRow[] = [];
    for (const p of policies) {
      const policyId = Number(p.id);
      counts.push({ policyId, inheritedTeamId: null, ...(overall.get(policyId) ?? { passing: 0, failing: 0 }) });
      if (p.team_id !== null) continue;
      for (const scope of scopes) {
        counts.push({ policyId, inheritedTeamId: scope, ...(perTeam.get(`${policyId}:${scope}`) ?? { passing: 0, failing: 0 }) });
      }
    }
    if (policyIds === undefined) {
      // The full walk also saw rows of policies deleted meanwhile; they are not part of the answer.
      const known = new Set(policies.map((p) => Number(p.id)));
      rowsScanned = groups.filter((r) => known.has(Number(r.policy_id))).reduce((sum, r) => sum + Number(r.n), 0);
    }
    return { counts, rowsScanned };
  });
}

export async function upsertPolicyCounts(db: Db, counts: readonly CountRow[], updatedAt: Date): Promise<void> {
  await writeCounts(db, counts, updatedAt, false);
}

export async function addPolicyCountDeltas(db: Db, deltas: readonly CountRow[], updatedAt: Date): Promise<void> {
  const summed = new Map<string, CountRow>();
  for (const d of deltas) {
    const key = `${d.policyId}:${d.inheritedTeamId ?? 'global'}`;
    const old = summed.get(key);
    summed.set(key, old ? { ...old, passing: old.passing + d.passing, failing: old.failing + d.failing } : { ...d });
  }
  await writeCounts(db, [...summed.values()], updatedAt, true);
}

async function writeCounts(db: Db, counts: readonly CountRow[], updatedAt: Date, add: boolean): Promise<void> {
  if (counts.length === 0) return;
  // Last row of a key wins within one call, as in the memory store.
  const byKey = new Map<string, CountRow>();
  for (const c of counts) byKey.set(`${c.policyId}:${c.inheritedTeamId ?? 'global'}`, c);
  const sorted = [...byKey.values()].sort(
    (a, b) => a.policyId - b.policyId || (a.inheritedTeamId ?? -1) - (b.inheritedTeamId ?? -1),
  );
  const update = add
    ? 'passing_host_count = passing_host_count + VALUES(passing_host_count), failing_host_count = failing_host_count + VALUES(failing_host_count)'
    : 'passing_host_count = VALUES(passing_host_count), failing_host_count = VALUES(failing_host_count)';
  return run(async () => {
    for (const chunk of chunks(sorted, COUNT_ROWS)) {
      await exec(
        db,
        `INSERT INTO policy_stats (policy_id, inherited_team_id, passing_host_count, failing_host_count, updated_at) VALUES ?
         ON DUPLICATE KEY UPDATE ${update}, updated_at = VALUES(updated_at)`,
        [chunk.map((c) => [c.policyId, c.inheritedTeamId, c.passing, c.failing, updatedAt])],
      );
    }
  });
}

export async function readPolicyCounts(db: Db, policyIds?: readonly number[]): Promise<PolicyCount[]> {
  if (policyIds !== undefined && policyIds.length === 0) return [];
  return run(async () => {
    const where = policyIds === undefined ? '' : ' WHERE ps.policy_id IN (?)';
    const rows = await readRows(
      db,
      `SELECT ps.policy_id, ps.inherited_team_id, ps.passing_host_count, ps.failing_host_count, ps.updated_at
         FROM policy_stats ps JOIN policies p ON p.id = ps.policy_id${where}
        ORDER BY ps.policy_id, ps.inherited_team_id IS NOT NULL, ps.inherited_team_id`,
      policyIds === undefined ? [] : [ids(policyIds)],
    );
    return rows.map((r) => ({
      policyId: Number(r.policy_id),
      inheritedTeamId: r.inherited_team_id === null ? null : Number(r.inherited_team_id),
      passing: Number(r.passing_host_count),
      failing: Number(r.failing_host_count),
      updatedAt: r.updated_at as Date,
    }));
  });
}

export async function deletePolicyCounts(db: Db, policyId: number): Promise<void> {
  return run(async () => {
    await exec(db, 'DELETE FROM policy_stats WHERE policy_id = ?', [policyId]);
  });
}
