/** Policy counts (policy_stats): computed from membership, stored, read. */
import type { CountRow } from '../common.js';
import type { ComputedCounts } from '../store.js';
import type { Policy, PolicyCount } from '../types.js';
import type { MemoryState } from './state.js';

function countKey(policyId: number, inheritedTeamId: number | null): string {
  return `${policyId}:${inheritedTeamId ?? 'global'}`;
}

function compareCounts(a: CountRow, b: CountRow): number {
  if (a.policyId !== b.policyId) return a.policyId - b.policyId;
  return (a.inheritedTeamId ?? -1) - (b.inheritedTeamId ?? -1);
}

export function computePolicyCounts(state: MemoryState, policyIds?: readonly number[]): ComputedCounts {
  const policies = policyIds === undefined
    ? [...state.policies.values()]
    : [...new Set(policyIds)].map((id) => state.policies.get(id)).filter((p): p is Policy => p !== undefined);
  policies.sort((a, b) => a.id - b.id);
  const scopes = [0, ...[...state.teams.keys()].sort((a, b) => a - b)];
  const counts: CountRow[] = [];
  let rowsScanned = 0;
  for (const policy of policies) {
    const cells = state.membership.get(policy.id);
    let passing = 0;
    let failing = 0;
    const perTeam = new Map<number, { passing: number; failing: number }>(
      policy.teamId === null ? scopes.map((t) => [t, { passing: 0, failing: 0 }]) : [],
    );
    for (const [hostId, cell] of cells ?? []) {
      // Rows of deleted hosts are never counted (as the MySQL store's join with hosts).
      const host = state.hosts.get(hostId);
      if (!host) continue;
      rowsScanned++;
      if (cell.passes === null) continue;
      if (cell.passes) passing++;
      else failing++;
      if (policy.teamId !== null) continue;
      const bucket = perTeam.get(host.teamId ?? 0);
      if (!bucket) continue;
      if (cell.passes) bucket.passing++;
      else bucket.failing++;
    }
    counts.push({ policyId: policy.id, inheritedTeamId: null, passing, failing });
    for (const [teamId, bucket] of perTeam) counts.push({ policyId: policy.id, inheritedTeamId: teamId, ...bucket });
  }
  return { counts, rowsScanned };
}

export function upsertPolicyCounts(state: MemoryState, counts: readonly CountRow[], updatedAt: Date): void {
  for (const row of counts) {
    state.counts.set(countKey(row.policyId, row.inheritedTeamId), {
      policyId: row.policyId,
      inheritedTeamId: row.inheritedTeamId,
      passing: row.passing,
      failing: row.failing,
      updatedAt,
    });
  }
}

export function addPolicyCountDeltas(state: MemoryState, deltas: readonly CountRow[], updatedAt: Date): void {
  for (const delta of deltas) {
    const key = countKey(delta.policyId, delta.inheritedTeamId);
    const old = state.counts.get(key);
    state.counts.set(key, {
      policyId: delta.policyId,
      inheritedTeamId: delta.inheritedTeamId,
      passing: (old?.passing ?? 0) + delta.passing,
      failing: (old?.failing ?? 0) + delta.failing,
      updatedAt,
    });
  }
}

export function readPolicyCounts(state: MemoryState, policyIds?: readonly number[]): PolicyCount[] {
  const wanted = policyIds === undefined ? undefined : new Set(policyIds);
  return [...state.counts.values()]
    .filter((row) => state.policies.has(row.policyId) && (wanted === undefined || wanted.has(row.policyId)))
    .sort(compareCounts);
}

export function deletePolicyCounts(state: MemoryState, policyId: number): void {
  for (const [key, row] of state.counts) if (row.policyId === policyId) state.counts.delete(key);
}
