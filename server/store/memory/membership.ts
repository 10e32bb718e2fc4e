/** Policy membership, the policy results of each host: the ingest batch write, reads and the edit clean-up. */
import { fleetPlatformOf, platformList } from '../../../contract/platforms.js';
import { collapseChanges } from '../common.js';
import type { RecordResultsOutcome } from '../store.js';
import type { HostPolicyResults, MembershipChange, MembershipRow, PolicyPasses } from '../types.js';
import { noteHostChanged } from './feed.js';
import type { MemoryState } from './state.js';
import { recordHostVitals } from './vitals.js';

export function recordPolicyResults(
  state: MemoryState,
  batch: readonly HostPolicyResults[],
  options: { trackChanges?: boolean } = {},
): RecordResultsOutcome {
  const changes: MembershipChange[] = [];
  let rowsWritten = 0;
  for (const entry of batch) {
    const host = state.hosts.get(entry.hostId);
    let policyIds = state.hostPolicies.get(entry.hostId);
    for (const { policyId, passes } of entry.results) {
      let cells = state.membership.get(policyId);
      if (!cells) {
        cells = new Map();
        state.membership.set(policyId, cells);
      }
      const cell = cells.get(entry.hostId);
      if (options.trackChanges && host && (cell === undefined || cell.passes !== passes)) {
        changes.push({ policyId, hostId: entry.hostId, hostTeamId: host.teamId, before: cell?.passes, after: passes });
      }
      if (cell) {
        cell.passes = passes;
        cell.updatedAt = entry.reportedAt;
      } else {
        cells.set(entry.hostId, { passes, updatedAt: entry.reportedAt });
        if (!policyIds) {
          policyIds = new Set();
          state.hostPolicies.set(entry.hostId, policyIds);
        }
        policyIds.add(policyId);
      }
      rowsWritten++;
    }
    if (entry.vitals) recordHostVitals(state, entry.hostId, entry.vitals, entry.reportedAt);
    if (entry.deleteUnanswered) removeUnanswered(state, entry, host?.teamId, options.trackChanges === true && host !== undefined, changes);
    if (host && !entry.keepPolicyTimer) {
      state.hosts.set(host.id, {
        ...state.hosts.get(host.id)!,
        policyUpdatedAt: entry.reportedAt,
        refetchRequested: false,
        updatedAt: entry.reportedAt,
      });
      noteHostChanged(state, host.id);
    }
  }
  changes.sort((a, b) => a.policyId - b.policyId || a.hostId - b.hostId);
  return { rowsWritten, changes: collapseChanges(changes) };
}

/** The host's rows for policies this write has no result for go (see HostPolicyResults.deleteUnanswered). */
function removeUnanswered(
  state: MemoryState,
  entry: HostPolicyResults,
  hostTeamId: number | null | undefined,
  track: boolean,
  changes: MembershipChange[],
): void {
  const policyIds = state.hostPolicies.get(entry.hostId);
  if (!policyIds) return;
  const answered = new Set(entry.results.map((result) => result.policyId));
  for (const policyId of [...policyIds].sort((a, b) => a - b)) {
    if (answered.has(policyId)) continue;
    const cells = state.membership.get(policyId)!;
    const cell = cells.get(entry.hostId)!;
    if (track) changes.push({ policyId, hostId: entry.hostId, hostTeamId: hostTeamId ?? null, before: cell.passes, after: undefined });
    cells.delete(entry.hostId);
    policyIds.delete(policyId);
  }
  if (policyIds.size === 0) state.hostPolicies.delete(entry.hostId);
}

export function hostMembership(state: MemoryState, hostId: number): MembershipRow[] {
  const ids = [...(state.hostPolicies.get(hostId) ?? [])].sort((a, b) => a - b);
  return ids.map((policyId) => {
    const cell = state.membership.get(policyId)!.get(hostId)!;
    return { policyId, hostId, passes: cell.passes, updatedAt: cell.updatedAt };
  });
}

export function getMembership(state: MemoryState, policyId: number, hostId: number): PolicyPasses | undefined {
  return state.membership.get(policyId)?.get(hostId)?.passes;
}

export function clearPolicyMembershipBatch(
  state: MemoryState,
  policyId: number,
  limit: number,
  keepPlatforms?: string,
  olderThan?: Date,
): readonly MembershipChange[] {
  const cells = state.membership.get(policyId);
  if (!cells || limit <= 0) return [];
  const keep = keepPlatforms === undefined ? undefined : platformList(keepPlatforms);
  const removed: MembershipChange[] = [];
  for (const hostId of [...cells.keys()].sort((a, b) => a - b)) {
    if (removed.length >= limit) break;
    const host = state.hosts.get(hostId);
    if (keep !== undefined && host && (keep.length === 0 || keep.includes(fleetPlatformOf(host.platform)))) continue;
    if (olderThan !== undefined && cells.get(hostId)!.updatedAt.getTime() >= olderThan.getTime()) continue;
    removed.push({ policyId, hostId, hostTeamId: host?.teamId ?? null, before: cells.get(hostId)!.passes, after: undefined });
  }
  for (const change of removed) {
    cells.delete(change.hostId);
    const set = state.hostPolicies.get(change.hostId);
    set?.delete(policyId);
    if (set?.size === 0) state.hostPolicies.delete(change.hostId);
  }
  return removed;
}

export function countMembership(state: MemoryState): number {
  let n = 0;
  for (const cells of state.membership.values()) n += cells.size;
  return n;
}
