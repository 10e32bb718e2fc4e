/**
 * The embedded store: everything in process memory, zero set-up. Not a mock — it passes the same
 * contract suite as MySQL (test/server/store/contract.ts) with the same Fleet semantics. The Store
 * facade over one file per entity, all on one MemoryState (state.ts).
 *
 * Records handed out are never mutated afterwards (updates replace them), so callers may keep them.
 * Every method validates before it changes anything, which makes each one all-or-nothing.
 */
import { osqsimError } from '../../../lib/errors.js';
import type {
  ComputedCounts,
  EnrollResult,
  HostChanges,
  PolicyUpdateResult,
  RecordResultsOutcome,
  SpecsInput,
  SpecsOutcome,
  Store,
} from '../store.js';
import type {
  QueryInput,
  QueryPatch,
  QueryResultRow,
  QueryResultsOutcome,
  QueryResultWrite,
  QueryUpdateResult,
  ScheduledQuery,
} from '../query-types.js';
import type {
  EnrollSecret,
  Host,
  HostDetailsPatch,
  HostIdentity,
  HostListFilter,
  HostLabelResults,
  HostOrbitInfo,
  DeviceAuthToken,
  HostPolicyResults,
  Label,
  LabelInput,
  LabelPatch,
  LabelSpecInput,
  OrbitEnrollResult,
  OrbitHostIdentity,
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
  HostVitals,
  VitalsCounts,
} from '../types.js';
import * as counts from './counts.js';
import * as feed from './feed.js';
import * as hosts from './hosts.js';
import * as labels from './labels.js';
import * as leases from './leases.js';
import * as membership from './membership.js';
import * as orbit from './orbit.js';
import * as policies from './policies.js';
import * as queries from './queries.js';
import { type MemoryState, assertTeam, createState } from './state.js';
import * as teams from './teams.js';
import * as vitals from './vitals.js';

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;

  private readonly state = createState();

  /** The state, or STORE_UNAVAILABLE once closed (every method starts here). */
  private open(): MemoryState {
    if (this.state.closed) throw osqsimError('STORE_UNAVAILABLE', { reason: 'the memory store is closed' });
    return this.state;
  }

  // --- lifecycle --------------------------------------------------------------------------

  async migrate(): Promise<void> {
    this.open();
  }

  async ping(): Promise<void> {
    this.open();
  }

  async close(): Promise<void> {
    this.state.closed = true;
  }

  // --- teams and enroll secrets -----------------------------------------------------------

  async createTeam(name: string, description?: string): Promise<Team> {
    return teams.createTeam(this.open(), name, description);
  }

  async getTeam(id: number): Promise<Team | undefined> {
    return teams.getTeam(this.open(), id);
  }

  async getTeamByName(name: string): Promise<Team | undefined> {
    return teams.getTeamByName(this.open(), name);
  }

  async listTeams(): Promise<Team[]> {
    return teams.listTeams(this.open());
  }

  async deleteTeam(id: number): Promise<boolean> {
    const state = this.open();
    const existed = teams.deleteTeam(state, id);
    if (existed) queries.deleteTeamQueries(state, id);
    return existed;
  }

  async findEnrollSecret(secret: string): Promise<EnrollSecret | undefined> {
    return teams.findEnrollSecret(this.open(), secret);
  }

  async listEnrollSecrets(teamId: number | null): Promise<EnrollSecret[]> {
    return teams.listEnrollSecrets(this.open(), teamId);
  }

  async replaceEnrollSecrets(teamId: number | null, secrets: readonly string[]): Promise<EnrollSecret[]> {
    return teams.replaceEnrollSecrets(this.open(), teamId, secrets);
  }

  async ensureEnrollSecret(secret: string, teamId: number | null): Promise<EnrollSecret> {
    return teams.ensureEnrollSecret(this.open(), secret, teamId);
  }


  // --- hosts ------------------------------------------------------------------------------

  async enrollHost(identity: HostIdentity, nodeKey: string, teamId: number | null, now: Date): Promise<EnrollResult> {
    return hosts.enrollHost(this.open(), identity, nodeKey, teamId, now);
  }

  async getHost(id: number): Promise<Host | undefined> {
    return hosts.getHost(this.open(), id);
  }

  async getHostByNodeKey(nodeKey: string): Promise<Host | undefined> {
    return hosts.getHostByNodeKey(this.open(), nodeKey);
  }

  async getHosts(ids: readonly number[]): Promise<Host[]> {
    return hosts.getHosts(this.open(), ids);
  }

  async listHosts(filter: HostListFilter): Promise<Host[]> {
    return hosts.listHosts(this.open(), filter);
  }

  async countHosts(filter: HostListFilter): Promise<number> {
    return hosts.countHosts(this.open(), filter);
  }

  async updateHostDetails(hostId: number, patch: HostDetailsPatch): Promise<void> {
    return hosts.updateHostDetails(this.open(), hostId, patch);
  }

  async setRefetchRequested(hostId: number, requested: boolean): Promise<boolean> {
    return hosts.setRefetchRequested(this.open(), hostId, requested);
  }

  async moveHostsToTeam(hostIds: readonly number[], teamId: number | null): Promise<readonly MembershipChange[]> {
    return hosts.moveHostsToTeam(this.open(), hostIds, teamId);
  }

  async deleteHost(id: number): Promise<readonly MembershipChange[] | undefined> {
    const state = this.open();
    const removed = hosts.deleteHost(state, id);
    if (removed) queries.deleteHostQueryResults(state, id);
    return removed;
  }

  async markHostsSeen(hostIds: readonly number[], seenAt: Date): Promise<void> {
    return hosts.markHostsSeen(this.open(), hostIds, seenAt);
  }

  async hostChangesSince(cursor: string | undefined): Promise<HostChanges> {
    return feed.hostChangesSince(this.open(), cursor);
  }


  // --- orbit (fleetd) and device tokens -----------------------------------------------------

  async enrollOrbit(identity: OrbitHostIdentity, orbitNodeKey: string, teamId: number | null, now: Date): Promise<OrbitEnrollResult> {
    return orbit.enrollOrbit(this.open(), identity, orbitNodeKey, teamId, now);
  }

  async getHostByOrbitNodeKey(orbitNodeKey: string): Promise<Host | undefined> {
    return orbit.getHostByOrbitNodeKey(this.open(), orbitNodeKey);
  }

  async setDeviceAuthToken(hostId: number, token: string, now: Date): Promise<Date> {
    return orbit.setDeviceAuthToken(this.open(), hostId, token, now);
  }

  async getHostByDeviceAuthToken(token: string, validSince: Date): Promise<Host | undefined> {
    return orbit.getHostByDeviceAuthToken(this.open(), token, validSince);
  }

  async getDeviceAuthToken(token: string): Promise<DeviceAuthToken | undefined> {
    return orbit.getDeviceAuthToken(this.open(), token);
  }

  async setHostOrbitInfo(hostId: number, info: HostOrbitInfo, now: Date): Promise<void> {
    return orbit.setHostOrbitInfo(this.open(), hostId, info);
  }

  async getHostOrbitInfo(hostId: number): Promise<HostOrbitInfo | undefined> {
    return orbit.getHostOrbitInfo(this.open(), hostId);
  }

  // --- policies ---------------------------------------------------------------------------

  async createPolicy(input: PolicyInput): Promise<Policy> {
    return policies.createPolicy(this.open(), input);
  }

  async getPolicy(id: number): Promise<Policy | undefined> {
    return policies.getPolicy(this.open(), id);
  }

  async listPolicies(teamId: number | null): Promise<Policy[]> {
    return policies.listPolicies(this.open(), teamId);
  }

  async listAllPolicies(): Promise<Policy[]> {
    return policies.listAllPolicies(this.open());
  }

  async policiesForHost(teamId: number | null, fleetPlatform: string): Promise<Policy[]> {
    return policies.policiesForHost(this.open(), teamId, fleetPlatform);
  }

  async updatePolicy(id: number, patch: PolicyPatch): Promise<PolicyUpdateResult | undefined> {
    return policies.updatePolicy(this.open(), id, patch);
  }

  async deletePolicies(ids: readonly number[]): Promise<number[]> {
    return policies.deletePolicies(this.open(), ids);
  }

  async applyPolicySpecs(
    specs: readonly PolicySpecInput[],
  ): Promise<Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }>> {
    return policies.applyPolicySpecs(this.open(), specs);
  }


  // --- membership (policy results) --------------------------------------------------------

  // --- host vitals (written by recordPolicyResults) -----------------------------------------

  async getHostVitals(hostId: number): Promise<HostVitals | undefined> {
    return vitals.getHostVitals(this.open(), hostId);
  }

  async countVitals(): Promise<VitalsCounts> {
    return vitals.countVitals(this.open());
  }

  async recordPolicyResults(
    batch: readonly HostPolicyResults[],
    options?: { trackChanges?: boolean },
  ): Promise<RecordResultsOutcome> {
    return membership.recordPolicyResults(this.open(), batch, options);
  }

  async hostMembership(hostId: number): Promise<MembershipRow[]> {
    return membership.hostMembership(this.open(), hostId);
  }

  async getMembership(policyId: number, hostId: number): Promise<PolicyPasses | undefined> {
    return membership.getMembership(this.open(), policyId, hostId);
  }

  async clearPolicyMembershipBatch(
    policyId: number,
    limit: number,
    keepPlatforms?: string,
    olderThan?: Date,
  ): Promise<readonly MembershipChange[]> {
    return membership.clearPolicyMembershipBatch(this.open(), policyId, limit, keepPlatforms, olderThan);
  }

  async countMembership(): Promise<number> {
    return membership.countMembership(this.open());
  }


  // --- counts (policy_stats) --------------------------------------------------------------

  async computePolicyCounts(policyIds?: readonly number[]): Promise<ComputedCounts> {
    return counts.computePolicyCounts(this.open(), policyIds);
  }

  async upsertPolicyCounts(rows: ReadonlyArray<Omit<PolicyCount, 'updatedAt'>>, updatedAt: Date): Promise<void> {
    return counts.upsertPolicyCounts(this.open(), rows, updatedAt);
  }

  async addPolicyCountDeltas(deltas: ReadonlyArray<Omit<PolicyCount, 'updatedAt'>>, updatedAt: Date): Promise<void> {
    return counts.addPolicyCountDeltas(this.open(), deltas, updatedAt);
  }

  async readPolicyCounts(policyIds?: readonly number[]): Promise<PolicyCount[]> {
    return counts.readPolicyCounts(this.open(), policyIds);
  }

  async deletePolicyCounts(policyId: number): Promise<void> {
    return counts.deletePolicyCounts(this.open(), policyId);
  }


  // --- leases and runs --------------------------------------------------------------------

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return leases.acquireLease(this.open(), name, owner, ttlMs);
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    return leases.releaseLease(this.open(), name, owner);
  }

  async recordStatsRun(run: StatsRun): Promise<StatsRun> {
    return leases.recordStatsRun(this.open(), run);
  }

  async listStatsRuns(limit: number): Promise<StatsRun[]> {
    return leases.listStatsRuns(this.open(), limit);
  }

  // --- labels -----------------------------------------------------------------------------

  async createLabel(input: LabelInput): Promise<Label> {
    return labels.createLabel(this.open(), input);
  }

  async getLabel(id: number): Promise<Label | undefined> {
    return labels.getLabel(this.open(), id);
  }

  async getLabelByName(name: string): Promise<Label | undefined> {
    return labels.getLabelByName(this.open(), name);
  }

  async listLabels(): Promise<Label[]> {
    return labels.listLabels(this.open());
  }

  async updateLabel(id: number, patch: LabelPatch): Promise<Label | undefined> {
    return labels.updateLabel(this.open(), id, patch);
  }

  async deleteLabel(id: number): Promise<boolean> {
    return labels.deleteLabel(this.open(), id);
  }

  async applyLabelSpecs(specs: readonly LabelSpecInput[]): Promise<Label[]> {
    return labels.applyLabelSpecs(this.open(), specs);
  }

  async labelQueriesForHost(platform: string, osVersion: string): Promise<Array<{ id: number; query: string }>> {
    return labels.labelQueriesForHost(this.open(), platform, osVersion);
  }

  async recordLabelResults(results: HostLabelResults): Promise<void> {
    labels.recordLabelResults(this.open(), results);
  }

  async hostLabelIds(hostId: number): Promise<number[]> {
    return labels.hostLabelIds(this.open(), hostId);
  }

  async labelHostIds(labelId: number): Promise<number[]> {
    return labels.labelHostIds(this.open(), labelId);
  }

  async clearPolicyMembershipOutsideLabels(policyId: number): Promise<readonly MembershipChange[]> {
    return labels.clearPolicyMembershipOutsideLabels(this.open(), policyId);
  }

  // --- scheduled queries and reports --------------------------------------------------------

  async createQuery(input: QueryInput): Promise<ScheduledQuery> {
    return queries.createQuery(this.open(), input);
  }

  async getQuery(id: number): Promise<ScheduledQuery | undefined> {
    return queries.getQuery(this.open(), id);
  }

  async getQueryByName(teamId: number | null, name: string): Promise<ScheduledQuery | undefined> {
    return queries.getQueryByName(this.open(), teamId, name);
  }

  async listQueries(teamId: number | null): Promise<ScheduledQuery[]> {
    return queries.listQueries(this.open(), teamId);
  }

  async updateQuery(id: number, patch: QueryPatch): Promise<QueryUpdateResult | undefined> {
    return queries.updateQuery(this.open(), id, patch);
  }

  async deleteQueries(ids: readonly number[]): Promise<number[]> {
    return queries.deleteQueries(this.open(), ids);
  }

  async scheduledQueries(teamId: number | null): Promise<ScheduledQuery[]> {
    return queries.scheduledQueries(this.open(), teamId);
  }

  async recordQueryResults(writes: readonly QueryResultWrite[], cap: number): Promise<QueryResultsOutcome> {
    return queries.recordQueryResults(this.open(), writes, cap);
  }

  async queryResults(queryId: number): Promise<QueryResultRow[]> {
    return queries.queryResults(this.open(), queryId);
  }

  async countQueryResults(queryId: number): Promise<number> {
    return queries.countQueryResults(this.open(), queryId);
  }

  // --- fleetctl apply of a whole file -------------------------------------------------------

  /** Every kind's checks run before anything is written, so the apply is all or nothing. */
  async applySpecs(specs: SpecsInput): Promise<SpecsOutcome> {
    const state = this.open();
    const labelSpecs = specs.labels ?? [];
    for (const spec of [...specs.policies, ...specs.queries]) assertTeam(state, spec.teamId);
    labels.checkLabelSpecs(state, labelSpecs);
    for (const spec of specs.policies) {
      labels.checkLabelRefs(state, spec.labelsIncludeAny, labelSpecs);
      labels.checkLabelRefs(state, spec.labelsExcludeAny, labelSpecs);
    }
    queries.checkQuerySpecs(state, specs.queries);
    // Labels first: the file's policies may be scoped to them.
    const appliedLabels = labelSpecs.length > 0 ? labels.applyLabelSpecs(state, labelSpecs) : [];
    return {
      labels: appliedLabels,
      policies: specs.policies.length > 0 ? policies.applyPolicySpecs(state, specs.policies) : [],
      queries: queries.applyQuerySpecs(state, specs.queries),
    };
  }
}
