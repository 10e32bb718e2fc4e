/**
 * The embedded store: everything in process memory, zero set-up. Not a mock — it passes the same
 * contract suite as MySQL (test/store/contract.ts) with the same Fleet semantics.
 *
 * Records handed out are never mutated afterwards (updates replace them), so callers may keep them.
 * Every method validates before it changes anything, which makes each one all-or-nothing.
 */
import { osqsimError } from '../../../lib/errors.js';
import { MAX_NAME_CHARS, MAX_SECRET_CHARS, MAX_TEAM_DESCRIPTION_CHARS, assertFits } from '../limits.js';
import { fleetPlatformOf, platformList, platformMatches } from '../../../contract/platforms.js';
import type {
  ComputedCounts,
  EnrollResult,
  HostChanges,
  PolicyUpdateResult,
  RecordResultsOutcome,
  Store,
} from '../store.js';
import type {
  EnrollSecret,
  Host,
  HostDetailsPatch,
  HostIdentity,
  HostListFilter,
  HostPolicyResults,
  MembershipChange,
  MembershipRow,
  Policy,
  PolicyCount,
  PolicyInput,
  PolicyPasses,
  PolicyPatch,
  PolicySpecInput,
  StatsRun,
  Team,
} from '../types.js';
import { LONG_AGO, collapseChanges } from '../common.js';

/** Host change feed entries kept; a consumer further behind than this is told to reset. */
const MAX_FEED_LOG = 1_000_000;

interface Cell {
  passes: PolicyPasses;
  updatedAt: Date;
}

type CountRow = Omit<PolicyCount, 'updatedAt'>;

function policyKey(teamId: number | null, name: string): string {
  return `${teamId ?? ''}\u0000${name}`;
}

function countKey(policyId: number, inheritedTeamId: number | null): string {
  return `${policyId}:${inheritedTeamId ?? 'global'}`;
}

function compareCounts(a: CountRow, b: CountRow): number {
  if (a.policyId !== b.policyId) return a.policyId - b.policyId;
  return (a.inheritedTeamId ?? -1) - (b.inheritedTeamId ?? -1);
}

/**
 * Team names compare as MySQL's utf8mb4_unicode_ci (Fleet's teams.name) does for the common cases:
 * case-insensitively and ignoring trailing spaces (PAD SPACE). Accent folding is not modelled.
 */
export function teamNameKey(name: string): string {
  return name.toLowerCase().replace(/ +$/, '');
}

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;

  private nextTeamId = 1;
  private nextHostId = 1;
  private nextPolicyId = 1;
  private nextRunId = 1;
  private closed = false;

  private readonly teams = new Map<number, Team>();
  private readonly secrets = new Map<string, EnrollSecret>();
  private readonly hosts = new Map<number, Host>();
  private readonly hostsByNodeKey = new Map<string, number>();
  private readonly hostsByOsqueryId = new Map<string, number>();
  private readonly policies = new Map<number, Policy>();
  private readonly policiesByKey = new Map<string, number>();
  /** policy id → host id → cell. */
  private readonly membership = new Map<number, Map<number, Cell>>();
  /** host id → policy ids with a cell (the KEY (host_id, passes) of MySQL). */
  private readonly hostPolicies = new Map<number, Set<number>>();
  private readonly counts = new Map<string, PolicyCount>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  private readonly runs: StatsRun[] = [];
  /**
   * The host change feed (hostChangesSince): one entry per host change, host id (> 0) or -id for
   * a delete; entry i has sequence number feedBase + i. Only this process writes the store, so a
   * change is in the log the moment it is made (no commit delay, no overlap window needed).
   */
  private feedLog: number[] = [];
  private feedBase = 0;
  private policiesVersion = 0;

  // --- lifecycle --------------------------------------------------------------------------

  async migrate(): Promise<void> {
    this.assertOpen();
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw osqsimError('STORE_UNAVAILABLE', { reason: 'the memory store is closed' });
  }

  // --- change feed ------------------------------------------------------------------------

  private noteHostChanged(hostId: number, deleted = false): void {
    this.feedLog.push(deleted ? -hostId : hostId);
    if (this.feedLog.length > MAX_FEED_LOG) {
      const drop = this.feedLog.length >> 1;
      this.feedLog = this.feedLog.slice(drop);
      this.feedBase += drop;
    }
  }

  async hostChangesSince(cursor: string | undefined): Promise<HostChanges> {
    this.assertOpen();
    const next = this.feedBase + this.feedLog.length;
    const policiesVersion = String(this.policiesVersion);
    const from = cursor === undefined || !/^\d+$/.test(cursor) ? NaN : Number(cursor);
    if (!(from >= this.feedBase && from <= next)) {
      return { cursor: String(next), reset: true, changedHostIds: [], deletedHostIds: [], policiesVersion };
    }
    const changed = new Set<number>();
    const deleted = new Set<number>();
    for (let i = from - this.feedBase; i < this.feedLog.length; i++) {
      const id = this.feedLog[i]!;
      if (id > 0) changed.add(id);
      else deleted.add(-id);
    }
    return { cursor: String(next), reset: false, changedHostIds: [...changed], deletedHostIds: [...deleted], policiesVersion };
  }

  // --- teams and enroll secrets -----------------------------------------------------------

  async createTeam(name: string, description = ''): Promise<Team> {
    this.assertOpen();
    assertFits('team name', name, MAX_NAME_CHARS);
    assertFits('team description', description, MAX_TEAM_DESCRIPTION_CHARS);
    if ([...this.teams.values()].some((t) => teamNameKey(t.name) === teamNameKey(name))) {
      throw osqsimError('STORE_CONFLICT', { what: `team "${name}"` });
    }
    const team: Team = { id: this.nextTeamId++, name, description, createdAt: new Date() };
    this.teams.set(team.id, team);
    return team;
  }

  async getTeam(id: number): Promise<Team | undefined> {
    this.assertOpen();
    return this.teams.get(id);
  }

  async getTeamByName(name: string): Promise<Team | undefined> {
    this.assertOpen();
    const key = teamNameKey(name);
    for (const team of this.teams.values()) if (teamNameKey(team.name) === key) return team;
    return undefined;
  }

  async listTeams(): Promise<Team[]> {
    this.assertOpen();
    return [...this.teams.values()].sort((a, b) => a.id - b.id);
  }

  async deleteTeam(id: number): Promise<boolean> {
    this.assertOpen();
    if (!this.teams.has(id)) return false;
    const teamPolicies = [...this.policies.values()].filter((p) => p.teamId === id).map((p) => p.id);
    this.removePolicies(teamPolicies);
    for (const [secret, entry] of this.secrets) if (entry.teamId === id) this.secrets.delete(secret);
    for (const [key, row] of this.counts) if (row.inheritedTeamId === id) this.counts.delete(key);
    const now = new Date();
    for (const host of this.hosts.values()) {
      if (host.teamId === id) {
        this.hosts.set(host.id, { ...host, teamId: null, updatedAt: now });
        this.noteHostChanged(host.id);
      }
    }
    this.teams.delete(id);
    return true;
  }

  async findEnrollSecret(secret: string): Promise<EnrollSecret | undefined> {
    this.assertOpen();
    return this.secrets.get(secret);
  }

  async listEnrollSecrets(teamId: number | null): Promise<EnrollSecret[]> {
    this.assertOpen();
    return [...this.secrets.values()]
      .filter((s) => s.teamId === teamId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.secret < b.secret ? -1 : 1));
  }

  async replaceEnrollSecrets(teamId: number | null, secrets: readonly string[]): Promise<EnrollSecret[]> {
    this.assertOpen();
    this.assertTeam(teamId);
    const wanted = [...new Set(secrets)];
    for (const secret of wanted) assertFits('enroll secret', secret, MAX_SECRET_CHARS);
    for (const secret of wanted) {
      const existing = this.secrets.get(secret);
      if (existing && existing.teamId !== teamId) throw osqsimError('STORE_CONFLICT', { what: 'enroll secret' });
    }
    const keep = new Set(wanted);
    for (const [secret, entry] of this.secrets) {
      if (entry.teamId === teamId && !keep.has(secret)) this.secrets.delete(secret);
    }
    const now = new Date();
    return wanted.map((secret) => {
      const existing = this.secrets.get(secret);
      if (existing) return existing;
      const entry: EnrollSecret = { secret, teamId, createdAt: now };
      this.secrets.set(secret, entry);
      return entry;
    });
  }

  async ensureEnrollSecret(secret: string, teamId: number | null): Promise<EnrollSecret> {
    this.assertOpen();
    assertFits('enroll secret', secret, MAX_SECRET_CHARS);
    const existing = this.secrets.get(secret);
    if (existing) return existing;
    this.assertTeam(teamId);
    const entry: EnrollSecret = { secret, teamId, createdAt: new Date() };
    this.secrets.set(secret, entry);
    return entry;
  }

  /** Hosts, secrets and team policies may only name teams that exist (0 = No team is fine for policies). */
  private assertTeam(teamId: number | null): void {
    if (teamId !== null && teamId !== 0 && !this.teams.has(teamId)) {
      throw osqsimError('STORE_NOT_FOUND', { what: `team ${teamId}` });
    }
  }

  // --- hosts ------------------------------------------------------------------------------

  async enrollHost(identity: HostIdentity, nodeKey: string, teamId: number | null, now: Date): Promise<EnrollResult> {
    this.assertOpen();
    this.assertTeam(teamId);
    const existingId = this.hostsByOsqueryId.get(identity.osqueryHostId);
    const keyOwner = this.hostsByNodeKey.get(nodeKey);
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
      detailUpdatedAt: LONG_AGO,
      policyUpdatedAt: LONG_AGO,
      refetchRequested: true,
      lastEnrolledAt: now,
      updatedAt: now,
      seenTime: now,
    };
    if (existingId !== undefined) {
      const old = this.hosts.get(existingId)!;
      const removed = this.removeHostCells(old.id, old.teamId, () => true);
      this.hostsByNodeKey.delete(old.nodeKey);
      const host: Host = { ...old, ...fields };
      this.hosts.set(host.id, host);
      this.hostsByNodeKey.set(nodeKey, host.id);
      this.noteHostChanged(host.id);
      return { host, reenrolled: true, removed };
    }
    const host: Host = {
      id: this.nextHostId++,
      ...fields,
      uptimeSeconds: 0,
      distributedInterval: 0,
      loggerTlsPeriod: 0,
      configTlsRefresh: 0,
      createdAt: now,
    };
    this.hosts.set(host.id, host);
    this.hostsByNodeKey.set(nodeKey, host.id);
    this.hostsByOsqueryId.set(host.osqueryHostId, host.id);
    this.noteHostChanged(host.id);
    return { host, reenrolled: false, removed: [] };
  }

  async getHost(id: number): Promise<Host | undefined> {
    this.assertOpen();
    return this.hosts.get(id);
  }

  async getHosts(ids: readonly number[]): Promise<Host[]> {
    this.assertOpen();
    return [...new Set(ids)].sort((a, b) => a - b).map((id) => this.hosts.get(id)).filter((h): h is Host => h !== undefined);
  }

  async getHostByNodeKey(nodeKey: string): Promise<Host | undefined> {
    this.assertOpen();
    const id = this.hostsByNodeKey.get(nodeKey);
    return id === undefined ? undefined : this.hosts.get(id);
  }

  async listHosts(filter: HostListFilter): Promise<Host[]> {
    this.assertOpen();
    const hosts = this.filterHosts(filter);
    if (filter.perPage === undefined) return hosts;
    const start = (filter.page ?? 0) * filter.perPage;
    return hosts.slice(start, start + filter.perPage);
  }

  async countHosts(filter: HostListFilter): Promise<number> {
    this.assertOpen();
    return this.filterHosts(filter).length;
  }

  private filterHosts(filter: HostListFilter): Host[] {
    const out: Host[] = [];
    const cells = filter.policyId === undefined ? undefined : this.membership.get(filter.policyId);
    for (const host of this.hosts.values()) {
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

  async updateHostDetails(hostId: number, patch: HostDetailsPatch): Promise<void> {
    this.assertOpen();
    const host = this.hosts.get(hostId);
    if (!host) return;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as HostDetailsPatch;
    this.hosts.set(hostId, { ...host, ...defined, updatedAt: new Date() });
    this.noteHostChanged(hostId);
  }

  async setRefetchRequested(hostId: number, requested: boolean): Promise<boolean> {
    this.assertOpen();
    const host = this.hosts.get(hostId);
    if (!host) return false;
    this.hosts.set(hostId, { ...host, refetchRequested: requested, updatedAt: new Date() });
    this.noteHostChanged(hostId);
    return true;
  }

  async moveHostsToTeam(hostIds: readonly number[], teamId: number | null): Promise<readonly MembershipChange[]> {
    this.assertOpen();
    this.assertTeam(teamId);
    const changes: MembershipChange[] = [];
    const now = new Date();
    for (const hostId of [...new Set(hostIds)].sort((a, b) => a - b)) {
      const host = this.hosts.get(hostId);
      if (!host || host.teamId === teamId) continue;
      const scope = teamId ?? 0;
      // Team (and No-team) policies of the old scope no longer apply.
      changes.push(...this.removeHostCells(hostId, host.teamId, (p) => p.teamId !== null && p.teamId !== scope, false));
      // Global-policy cells stay, but move from the old team's inherited count to the new one's.
      for (const policyId of [...(this.hostPolicies.get(hostId) ?? [])].sort((a, b) => a - b)) {
        const policy = this.policies.get(policyId);
        if (!policy || policy.teamId !== null) continue;
        const passes = this.membership.get(policyId)!.get(hostId)!.passes;
        changes.push({ policyId, hostId, hostTeamId: host.teamId, before: passes, after: undefined });
        changes.push({ policyId, hostId, hostTeamId: teamId, before: undefined, after: passes });
      }
      this.hosts.set(hostId, { ...host, teamId, updatedAt: now });
      this.noteHostChanged(hostId);
    }
    return changes;
  }

  async deleteHost(id: number): Promise<readonly MembershipChange[] | undefined> {
    this.assertOpen();
    const host = this.hosts.get(id);
    if (!host) return undefined;
    const removed = this.removeHostCells(id, host.teamId, () => true, true);
    this.hosts.delete(id);
    this.hostsByNodeKey.delete(host.nodeKey);
    this.hostsByOsqueryId.delete(host.osqueryHostId);
    this.noteHostChanged(id, true);
    return removed;
  }

  /** Removes a host's cells whose policy matches `which` (orphan cells count as matching when `orphans`). */
  private removeHostCells(
    hostId: number,
    hostTeamId: number | null,
    which: (policy: Policy) => boolean,
    orphans = true,
  ): MembershipChange[] {
    const policyIds = this.hostPolicies.get(hostId);
    if (!policyIds) return [];
    const removed: MembershipChange[] = [];
    for (const policyId of [...policyIds].sort((a, b) => a - b)) {
      const policy = this.policies.get(policyId);
      if (policy ? !which(policy) : !orphans) continue;
      const cells = this.membership.get(policyId)!;
      removed.push({ policyId, hostId, hostTeamId, before: cells.get(hostId)!.passes, after: undefined });
      cells.delete(hostId);
      policyIds.delete(policyId);
    }
    if (policyIds.size === 0) this.hostPolicies.delete(hostId);
    return removed;
  }

  async markHostsSeen(hostIds: readonly number[], seenAt: Date): Promise<void> {
    this.assertOpen();
    for (const id of hostIds) {
      const host = this.hosts.get(id);
      if (host) this.hosts.set(id, { ...host, seenTime: seenAt });
    }
  }

  // --- policies ---------------------------------------------------------------------------

  async createPolicy(input: PolicyInput): Promise<Policy> {
    this.assertOpen();
    this.assertTeam(input.teamId);
    const name = input.name.normalize('NFC');
    if (this.policiesByKey.has(policyKey(input.teamId, name))) {
      throw osqsimError('STORE_CONFLICT', { what: `policy "${name}"` });
    }
    const now = new Date();
    const policy: Policy = {
      id: this.nextPolicyId++,
      teamId: input.teamId,
      name,
      query: input.query,
      description: input.description ?? '',
      resolution: input.resolution ?? '',
      platforms: input.platforms ?? '',
      critical: input.critical ?? false,
      authorId: input.authorId ?? null,
      authorName: input.authorName ?? '',
      authorEmail: input.authorEmail ?? '',
      createdAt: now,
      updatedAt: now,
    };
    this.policies.set(policy.id, policy);
    this.policiesByKey.set(policyKey(policy.teamId, name), policy.id);
    this.policiesVersion++;
    return policy;
  }

  async getPolicy(id: number): Promise<Policy | undefined> {
    this.assertOpen();
    return this.policies.get(id);
  }

  async listPolicies(teamId: number | null): Promise<Policy[]> {
    this.assertOpen();
    return [...this.policies.values()].filter((p) => p.teamId === teamId).sort((a, b) => a.id - b.id);
  }

  async listAllPolicies(): Promise<Policy[]> {
    this.assertOpen();
    return [...this.policies.values()].sort((a, b) => a.id - b.id);
  }

  async policiesForHost(teamId: number | null, fleetPlatform: string): Promise<Policy[]> {
    this.assertOpen();
    const scope = teamId ?? 0;
    return [...this.policies.values()]
      .filter((p) => (p.teamId === null || p.teamId === scope) && platformMatches(p.platforms, fleetPlatform))
      .sort((a, b) => a.id - b.id);
  }

  async updatePolicy(id: number, patch: PolicyPatch): Promise<PolicyUpdateResult | undefined> {
    this.assertOpen();
    const old = this.policies.get(id);
    if (!old) return undefined;
    const name = patch.name === undefined ? old.name : patch.name.normalize('NFC');
    const owner = this.policiesByKey.get(policyKey(old.teamId, name));
    if (owner !== undefined && owner !== id) throw osqsimError('STORE_CONFLICT', { what: `policy "${name}"` });
    let policy: Policy = {
      ...old,
      name,
      query: patch.query ?? old.query,
      description: patch.description ?? old.description,
      resolution: patch.resolution ?? old.resolution,
      platforms: patch.platforms ?? old.platforms,
      critical: patch.critical ?? old.critical,
      updatedAt: new Date(),
    };
    const queryChanged = policy.query !== old.query;
    const platformsChanged = policy.platforms !== old.platforms;
    if (queryChanged || platformsChanged) policy = { ...policy, queryChangedAt: policy.updatedAt };
    this.policiesByKey.delete(policyKey(old.teamId, old.name));
    this.policiesByKey.set(policyKey(policy.teamId, name), id);
    this.policies.set(id, policy);
    this.policiesVersion++;
    return { policy, queryChanged, platformsChanged };
  }

  async deletePolicies(ids: readonly number[]): Promise<number[]> {
    this.assertOpen();
    const existing = [...new Set(ids)].filter((id) => this.policies.has(id)).sort((a, b) => a - b);
    this.removePolicies(existing);
    return existing;
  }

  private removePolicies(ids: readonly number[]): void {
    for (const id of ids) {
      const policy = this.policies.get(id);
      if (!policy) continue;
      this.policies.delete(id);
      this.policiesByKey.delete(policyKey(policy.teamId, policy.name));
      this.policiesVersion++;
      const cells = this.membership.get(id);
      if (cells) {
        for (const hostId of cells.keys()) {
          const set = this.hostPolicies.get(hostId);
          set?.delete(id);
          if (set?.size === 0) this.hostPolicies.delete(hostId);
        }
        this.membership.delete(id);
      }
      for (const [key, row] of this.counts) if (row.policyId === id) this.counts.delete(key);
    }
  }

  async applyPolicySpecs(
    specs: readonly PolicySpecInput[],
  ): Promise<Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }>> {
    this.assertOpen();
    for (const spec of specs) this.assertTeam(spec.teamId);
    const out: Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }> = [];
    for (const spec of specs) {
      const name = spec.name.normalize('NFC');
      const fields = {
        query: spec.query,
        description: spec.description ?? '',
        resolution: spec.resolution ?? '',
        platforms: spec.platforms ?? '',
        critical: spec.critical ?? false,
      };
      const existingId = this.policiesByKey.get(policyKey(spec.teamId, name));
      if (existingId === undefined) {
        const policy = await this.createPolicy({ teamId: spec.teamId, name, ...fields });
        out.push({ policy, result: 'created' });
      } else {
        const result = (await this.updatePolicy(existingId, fields))!;
        out.push({ policy: result.policy, result });
      }
    }
    return out;
  }

  // --- membership -------------------------------------------------------------------------

  async recordPolicyResults(
    batch: readonly HostPolicyResults[],
    options: { trackChanges?: boolean } = {},
  ): Promise<RecordResultsOutcome> {
    this.assertOpen();
    const changes: MembershipChange[] = [];
    let rowsWritten = 0;
    for (const entry of batch) {
      const host = this.hosts.get(entry.hostId);
      let policyIds = this.hostPolicies.get(entry.hostId);
      for (const { policyId, passes } of entry.results) {
        let cells = this.membership.get(policyId);
        if (!cells) {
          cells = new Map();
          this.membership.set(policyId, cells);
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
            this.hostPolicies.set(entry.hostId, policyIds);
          }
          policyIds.add(policyId);
        }
        rowsWritten++;
      }
      if (host) {
        this.hosts.set(host.id, {
          ...this.hosts.get(host.id)!,
          policyUpdatedAt: entry.reportedAt,
          refetchRequested: false,
          updatedAt: entry.reportedAt,
        });
        this.noteHostChanged(host.id);
      }
    }
    changes.sort((a, b) => a.policyId - b.policyId || a.hostId - b.hostId);
    return { rowsWritten, changes: collapseChanges(changes) };
  }

  async hostMembership(hostId: number): Promise<MembershipRow[]> {
    this.assertOpen();
    const ids = [...(this.hostPolicies.get(hostId) ?? [])].sort((a, b) => a - b);
    return ids.map((policyId) => {
      const cell = this.membership.get(policyId)!.get(hostId)!;
      return { policyId, hostId, passes: cell.passes, updatedAt: cell.updatedAt };
    });
  }

  async getMembership(policyId: number, hostId: number): Promise<PolicyPasses | undefined> {
    this.assertOpen();
    return this.membership.get(policyId)?.get(hostId)?.passes;
  }

  async clearPolicyMembershipBatch(
    policyId: number,
    limit: number,
    keepPlatforms?: string,
    olderThan?: Date,
  ): Promise<readonly MembershipChange[]> {
    this.assertOpen();
    const cells = this.membership.get(policyId);
    if (!cells || limit <= 0) return [];
    const keep = keepPlatforms === undefined ? undefined : platformList(keepPlatforms);
    const removed: MembershipChange[] = [];
    for (const hostId of [...cells.keys()].sort((a, b) => a - b)) {
      if (removed.length >= limit) break;
      const host = this.hosts.get(hostId);
      if (keep !== undefined && host && (keep.length === 0 || keep.includes(fleetPlatformOf(host.platform)))) continue;
      if (olderThan !== undefined && cells.get(hostId)!.updatedAt.getTime() >= olderThan.getTime()) continue;
      removed.push({ policyId, hostId, hostTeamId: host?.teamId ?? null, before: cells.get(hostId)!.passes, after: undefined });
    }
    for (const change of removed) {
      cells.delete(change.hostId);
      const set = this.hostPolicies.get(change.hostId);
      set?.delete(policyId);
      if (set?.size === 0) this.hostPolicies.delete(change.hostId);
    }
    return removed;
  }

  async countMembership(): Promise<number> {
    this.assertOpen();
    let n = 0;
    for (const cells of this.membership.values()) n += cells.size;
    return n;
  }

  // --- counts -----------------------------------------------------------------------------

  async computePolicyCounts(policyIds?: readonly number[]): Promise<ComputedCounts> {
    this.assertOpen();
    const policies = policyIds === undefined
      ? [...this.policies.values()]
      : [...new Set(policyIds)].map((id) => this.policies.get(id)).filter((p): p is Policy => p !== undefined);
    policies.sort((a, b) => a.id - b.id);
    const scopes = [0, ...[...this.teams.keys()].sort((a, b) => a - b)];
    const counts: CountRow[] = [];
    let rowsScanned = 0;
    for (const policy of policies) {
      const cells = this.membership.get(policy.id);
      let passing = 0;
      let failing = 0;
      const perTeam = new Map<number, { passing: number; failing: number }>(
        policy.teamId === null ? scopes.map((t) => [t, { passing: 0, failing: 0 }]) : [],
      );
      for (const [hostId, cell] of cells ?? []) {
        // Rows of deleted hosts are never counted (as the MySQL store's join with hosts).
        const host = this.hosts.get(hostId);
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

  async upsertPolicyCounts(counts: readonly CountRow[], updatedAt: Date): Promise<void> {
    this.assertOpen();
    for (const row of counts) {
      this.counts.set(countKey(row.policyId, row.inheritedTeamId), {
        policyId: row.policyId,
        inheritedTeamId: row.inheritedTeamId,
        passing: row.passing,
        failing: row.failing,
        updatedAt,
      });
    }
  }

  async addPolicyCountDeltas(deltas: readonly CountRow[], updatedAt: Date): Promise<void> {
    this.assertOpen();
    for (const delta of deltas) {
      const key = countKey(delta.policyId, delta.inheritedTeamId);
      const old = this.counts.get(key);
      this.counts.set(key, {
        policyId: delta.policyId,
        inheritedTeamId: delta.inheritedTeamId,
        passing: (old?.passing ?? 0) + delta.passing,
        failing: (old?.failing ?? 0) + delta.failing,
        updatedAt,
      });
    }
  }

  async readPolicyCounts(policyIds?: readonly number[]): Promise<PolicyCount[]> {
    this.assertOpen();
    const wanted = policyIds === undefined ? undefined : new Set(policyIds);
    return [...this.counts.values()]
      .filter((row) => this.policies.has(row.policyId) && (wanted === undefined || wanted.has(row.policyId)))
      .sort(compareCounts);
  }

  async deletePolicyCounts(policyId: number): Promise<void> {
    this.assertOpen();
    for (const [key, row] of this.counts) if (row.policyId === policyId) this.counts.delete(key);
  }

  // --- leases and runs --------------------------------------------------------------------

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    const now = Date.now();
    const lease = this.leases.get(name);
    if (lease && lease.owner !== owner && lease.expiresAt >= now) return false;
    this.leases.set(name, { owner, expiresAt: now + ttlMs });
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.assertOpen();
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }

  async recordStatsRun(run: StatsRun): Promise<StatsRun> {
    this.assertOpen();
    const stored: StatsRun = { ...run, id: this.nextRunId++ };
    this.runs.push(stored);
    return stored;
  }

  async listStatsRuns(limit: number): Promise<StatsRun[]> {
    this.assertOpen();
    if (limit <= 0) return [];
    return this.runs.slice(-Math.floor(limit)).reverse();
  }
}
