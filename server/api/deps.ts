/** What every REST route module gets: the server context and the edit clean-up job. */
import type { ServerContext } from '../context.js';
import type { Policy, PolicyCount, PolicyUpdateResult } from '../store/store.js';
import type { MembershipCleanupJob } from './cleanup-job.js';
import { notFound, validationFailed } from './errors.js';

export interface ApiDeps {
  readonly context: ServerContext;
  readonly cleanup: MembershipCleanupJob;
}

/** Count rows keyed by `${policyId}:${inheritedTeamId ?? 'all'}`. */
export type CountIndex = ReadonlyMap<string, PolicyCount>;

export const countKey = (policyId: number, inheritedTeamId: number | null): string => `${policyId}:${inheritedTeamId ?? 'all'}`;

export async function readCountIndex(deps: ApiDeps, policyIds: readonly number[]): Promise<CountIndex> {
  const index = new Map<string, PolicyCount>();
  if (policyIds.length === 0) return index;
  for (const row of await deps.context.counts.readCounts(policyIds)) {
    if (!policyIds.includes(row.policyId)) continue;
    // Until a query change is cleaned up, any count would include answers to the old query:
    // report 0/0/null as Fleet does right after the edit (whatever the count strategy).
    if (deps.cleanup.staleBefore(row.policyId) !== undefined) continue;
    index.set(countKey(row.policyId, row.inheritedTeamId), row);
  }
  return index;
}

/**
 * `labels_include_any` / `labels_exclude_any` of a policy body: arrays of label names that exist
 * (422 naming the first unknown one); undefined when absent.
 */
export async function policyLabelNames(deps: ApiDeps, body: Record<string, unknown>, key: 'labels_include_any' | 'labels_exclude_any'): Promise<string[] | undefined> {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw validationFailed(key, 'must be an array of label names');
  }
  for (const name of value as string[]) {
    if (!(await deps.context.store.getLabelByName(name))) throw validationFailed(key, `label "${name}" does not exist`);
  }
  return value as string[];
}

/** 404 unless team `id` exists; team 0 ("No team") always exists. */
export async function requireTeamScope(deps: ApiDeps, teamId: number): Promise<void> {
  if (teamId === 0) return;
  if (!(await deps.context.store.getTeam(teamId))) throw notFound(`team ${teamId} was not found`);
}

/**
 * After an edit or apply changed a query or platform list (reference §6.4): stats go now (the
 * answer shows 0/0/null), membership rows go in batches through the clean-up job.
 */
export async function invalidateAfterEdit(deps: ApiDeps, result: PolicyUpdateResult, policy: Policy): Promise<void> {
  if (result.labelsChanged) {
    // A new label scope: rows of hosts outside it go now (Fleet POL-F, "label scope changed →
    // delete memberships of hosts that no longer match"); delta strategies get the removed cells.
    const removed = await deps.context.store.clearPolicyMembershipOutsideLabels(policy.id);
    if (removed.length > 0) deps.context.events.emit('membershipChanged', removed);
  }
  if (!result.queryChanged && !result.platformsChanged) return;
  // The clean-up's cut-off is the time the edit stamped on the policy (queryChangedAt, set before
  // its transaction committed), never a clock read here: hosts can fetch the new query as soon as
  // the update commits (the scope cache refreshes every ttl), while this function still awaits
  // deletePolicyCounts — for an apply, once per earlier policy too. A cut-off taken afterwards lay
  // after such hosts' answers, and the clean-up deleted them (issue 16 item 7: a fresh answer lost
  // for good in policy-edit-under-load on MySQL).
  const editedAt = policy.queryChangedAt ?? deps.context.now();
  deps.cleanup.enqueue(policy.id, { queryChanged: result.queryChanged, platforms: policy.platforms }, editedAt);
  await deps.context.store.deletePolicyCounts(policy.id);
}
