/** Hosts: enroll, reads, detail updates, team moves, deletes and last-seen. */
import { osqsimError } from '../../../lib/errors.js';
import { LONG_AGO } from '../common.js';
import type { EnrollResult } from '../store.js';
import type { Host, HostDetailsPatch, HostIdentity, HostListFilter, MembershipChange, Policy } from '../types.js';
import { noteHostChanged } from './feed.js';
import { forgetOrbitHost } from './orbit.js';
import { type MemoryState, assertTeam } from './state.js';

export function enrollHost(
  state: MemoryState,
  identity: HostIdentity,
  nodeKey: string,
  teamId: number | null,
  now: Date,
): EnrollResult {
  assertTeam(state, teamId);
  const existingId = state.hostsByOsqueryId.get(identity.osqueryHostId);
  const keyOwner = state.hostsByNodeKey.get(nodeKey);
  if (keyOwner !== undefined && keyOwner !== existingId) throw osqsimError('STORE_CONFLICT', { what: 'node key' });
  const fields = {
    osqueryHostId: identity.osqueryHostId,
    nodeKey,
    teamId,
    platform: identity.platform,
    hostname: identity.hostname,
    uuid: identity.uuid,
    hardwareSerial: identity.hardwareSerial,
    osVersion: identity.osVersion,
    osqueryVersion: identity.osqueryVersion,
    lastEnrolledAt: now,
    updatedAt: now,
    seenTime: now,
  };
  if (existingId !== undefined) {
    // A known host keeps its timers (detail and policy updated_at, no refetch) and loses its
    // policy results, as Fleet's EnrollHost (server/datastore/mysql/hosts.go, existing-host branch:
    // deleteAllPolicyMemberships, then an UPDATE of node_key, team_id and last_enrolled_at only).
    const old = state.hosts.get(existingId)!;
    const removed = removeHostCells(state, old.id, old.teamId, () => true);
    state.hostsByNodeKey.delete(old.nodeKey);
    const host: Host = { ...old, ...fields };
    state.hosts.set(host.id, host);
    state.hostsByNodeKey.set(nodeKey, host.id);
    noteHostChanged(state, host.id);
    return { host, reenrolled: true, removed };
  }
  const host: Host = {
    id: state.nextHostId++,
    ...fields,
    // A new host is due everything at once (Fleet's EnrollHost: zero timestamps, refetch_requested = 1).
    detailUpdatedAt: LONG_AGO,
    policyUpdatedAt: LONG_AGO,
    refetchRequested: true,
    uptimeSeconds: 0,
    distributedInterval: 0,
    loggerTlsPeriod: 0,
    configTlsRefresh: 0,
    createdAt: now,
  };
  state.hosts.set(host.id, host);
  state.hostsByNodeKey.set(nodeKey, host.id);
  state.hostsByOsqueryId.set(host.osqueryHostId, host.id);
  noteHostChanged(state, host.id);
  return { host, reenrolled: false, removed: [] };
}

export function getHost(state: MemoryState, id: number): Host | undefined {
  return state.hosts.get(id);
}

export function getHosts(state: MemoryState, ids: readonly number[]): Host[] {
  return [...new Set(ids)].sort((a, b) => a - b).map((id) => state.hosts.get(id)).filter((h): h is Host => h !== undefined);
}

export function getHostByNodeKey(state: MemoryState, nodeKey: string): Host | undefined {
  const id = state.hostsByNodeKey.get(nodeKey);
  return id === undefined ? undefined : state.hosts.get(id);
}

export function listHosts(state: MemoryState, filter: HostListFilter): Host[] {
  const hosts = filterHosts(state, filter);
  if (filter.perPage === undefined) return hosts;
  const start = (filter.page ?? 0) * filter.perPage;
  return hosts.slice(start, start + filter.perPage);
}

export function countHosts(state: MemoryState, filter: HostListFilter): number {
  return filterHosts(state, filter).length;
}

function filterHosts(state: MemoryState, filter: HostListFilter): Host[] {
  const out: Host[] = [];
  const cells = filter.policyId === undefined ? undefined : state.membership.get(filter.policyId);
  for (const host of state.hosts.values()) {
    if (filter.teamId !== undefined && host.teamId !== (filter.teamId === 0 ? null : filter.teamId)) continue;
    if (filter.policyId !== undefined) {
      const passes = cells?.get(host.id)?.passes ?? null;
      if (filter.policyResponse === 'passing' && passes !== true) continue;
      if (filter.policyResponse === 'failing' && passes !== false) continue;
      if (filter.policyResponse === undefined && passes !== null) continue;
    }
    out.push(host);
  }
  return out.sort((a, b) => a.id - b.id);
}

export function updateHostDetails(state: MemoryState, hostId: number, patch: HostDetailsPatch): void {
  const host = state.hosts.get(hostId);
  if (!host) return;
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as HostDetailsPatch;
  state.hosts.set(hostId, { ...host, ...defined, updatedAt: new Date() });
  noteHostChanged(state, hostId);
}

export function setRefetchRequested(state: MemoryState, hostId: number, requested: boolean): boolean {
  const host = state.hosts.get(hostId);
  if (!host) return false;
  state.hosts.set(hostId, { ...host, refetchRequested: requested, updatedAt: new Date() });
  noteHostChanged(state, hostId);
  return true;
}

export function moveHostsToTeam(
  state: MemoryState,
  hostIds: readonly number[],
  teamId: number | null,
): readonly MembershipChange[] {
  assertTeam(state, teamId);
  const changes: MembershipChange[] = [];
  const now = new Date();
  for (const hostId of [...new Set(hostIds)].sort((a, b) => a - b)) {
    const host = state.hosts.get(hostId);
    if (!host || host.teamId === teamId) continue;
    const scope = teamId ?? 0;
    // Team (and No-team) policies of the old scope no longer apply.
    changes.push(...removeHostCells(state, hostId, host.teamId, (p) => p.teamId !== null && p.teamId !== scope, false));
    // Global-policy cells stay, but move from the old team's inherited count to the new one's.
    for (const policyId of [...(state.hostPolicies.get(hostId) ?? [])].sort((a, b) => a - b)) {
      const policy = state.policies.get(policyId);
      if (!policy || policy.teamId !== null) continue;
      const passes = state.membership.get(policyId)!.get(hostId)!.passes;
      changes.push({ policyId, hostId, hostTeamId: host.teamId, before: passes, after: undefined });
      changes.push({ policyId, hostId, hostTeamId: teamId, before: undefined, after: passes });
    }
    state.hosts.set(hostId, { ...host, teamId, updatedAt: now });
    noteHostChanged(state, hostId);
  }
  return changes;
}

export function deleteHost(state: MemoryState, id: number): readonly MembershipChange[] | undefined {
  const host = state.hosts.get(id);
  if (!host) return undefined;
  const removed = removeHostCells(state, id, host.teamId, () => true, true);
  state.hosts.delete(id);
  state.hostsByNodeKey.delete(host.nodeKey);
  state.hostsByOsqueryId.delete(host.osqueryHostId);
  forgetOrbitHost(state, id);
  // Fleet's DeleteHost deletes the host's label_membership rows too (hostRefs).
  for (const labelId of state.hostLabels.get(id) ?? []) state.labelMembers.get(labelId)?.delete(id);
  state.hostLabels.delete(id);
  state.vitals.delete(id); // host_users, host_software, host_disks, host_mdm, host_batteries (Fleet's hostRefs)
  noteHostChanged(state, id, true);
  return removed;
}

/** Removes a host's cells whose policy matches `which` (orphan cells count as matching when `orphans`). */
function removeHostCells(
  state: MemoryState,
  hostId: number,
  hostTeamId: number | null,
  which: (policy: Policy) => boolean,
  orphans = true,
): MembershipChange[] {
  const policyIds = state.hostPolicies.get(hostId);
  if (!policyIds) return [];
  const removed: MembershipChange[] = [];
  for (const policyId of [...policyIds].sort((a, b) => a - b)) {
    const policy = state.policies.get(policyId);
    if (policy ? !which(policy) : !orphans) continue;
    const cells = state.membership.get(policyId)!;
    removed.push({ policyId, hostId, hostTeamId, before: cells.get(hostId)!.passes, after: undefined });
    cells.delete(hostId);
    policyIds.delete(policyId);
  }
  if (policyIds.size === 0) state.hostPolicies.delete(hostId);
  return removed;
}

export function markHostsSeen(state: MemoryState, hostIds: readonly number[], seenAt: Date): void {
  for (const id of hostIds) {
    const host = state.hosts.get(id);
    if (host) state.hosts.set(id, { ...host, seenTime: seenAt });
  }
}
