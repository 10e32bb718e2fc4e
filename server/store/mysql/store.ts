/**
 * The MySQL store (MariaDB 10.11 and MySQL 8) on a mysql2/promise pool: the Store facade over one
 * file per entity, as Fleet's server/datastore/mysql/{hosts,policies,teams,…}.go are methods of one
 * datastore. Each entity function takes the Db handle (db.ts).
 *
 * - Writes that touch several rows run in one transaction, retried on deadlock (tx.ts); rows are
 *   written in sorted key order.
 * - Times, isolation level and error mapping: see db.ts.
 */
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
import { type Db, type MysqlStoreOptions, closeDb, openDb, ping } from './db.js';
import * as feed from './feed.js';
import * as hosts from './hosts.js';
import * as labels from './labels.js';
import * as leases from './leases.js';
import * as membership from './membership.js';
import * as orbit from './orbit.js';
import { migrate } from './migrate.js';
import * as policies from './policies.js';
import * as queries from './queries.js';
import * as specs from './specs.js';
import * as teams from './teams.js';
import * as vitals from './vitals.js';

export type { MysqlStoreOptions } from './db.js';

export class MysqlStore implements Store {
  readonly kind = 'mysql' as const;

  private readonly db: Db;

  constructor(url: string, options: MysqlStoreOptions = {}) {
    this.db = openDb(url, options);
  }

  // --- lifecycle --------------------------------------------------------------------------

  migrate(): Promise<void> {
    return migrate(this.db);
  }

  ping(): Promise<void> {
    return ping(this.db);
  }

  close(): Promise<void> {
    return closeDb(this.db);
  }

  // --- teams and enroll secrets -----------------------------------------------------------

  createTeam(name: string, description?: string): Promise<Team> {
    return teams.createTeam(this.db, name, description);
  }

  getTeam(id: number): Promise<Team | undefined> {
    return teams.getTeam(this.db, id);
  }

  getTeamByName(name: string): Promise<Team | undefined> {
    return teams.getTeamByName(this.db, name);
  }

  listTeams(): Promise<Team[]> {
    return teams.listTeams(this.db);
  }

  deleteTeam(id: number): Promise<boolean> {
    return teams.deleteTeam(this.db, id);
  }

  findEnrollSecret(secret: string): Promise<EnrollSecret | undefined> {
    return teams.findEnrollSecret(this.db, secret);
  }

  listEnrollSecrets(teamId: number | null): Promise<EnrollSecret[]> {
    return teams.listEnrollSecrets(this.db, teamId);
  }

  replaceEnrollSecrets(teamId: number | null, secrets: readonly string[]): Promise<EnrollSecret[]> {
    return teams.replaceEnrollSecrets(this.db, teamId, secrets);
  }

  ensureEnrollSecret(secret: string, teamId: number | null): Promise<EnrollSecret> {
    return teams.ensureEnrollSecret(this.db, secret, teamId);
  }

  // --- hosts ------------------------------------------------------------------------------

  enrollHost(identity: HostIdentity, nodeKey: string, teamId: number | null, now: Date): Promise<EnrollResult> {
    return hosts.enrollHost(this.db, identity, nodeKey, teamId, now);
  }

  getHost(id: number): Promise<Host | undefined> {
    return hosts.getHost(this.db, id);
  }

  getHostByNodeKey(nodeKey: string): Promise<Host | undefined> {
    return hosts.getHostByNodeKey(this.db, nodeKey);
  }

  getHosts(ids: readonly number[]): Promise<Host[]> {
    return hosts.getHosts(this.db, ids);
  }

  listHosts(filter: HostListFilter): Promise<Host[]> {
    return hosts.listHosts(this.db, filter);
  }

  countHosts(filter: HostListFilter): Promise<number> {
    return hosts.countHosts(this.db, filter);
  }

  updateHostDetails(hostId: number, patch: HostDetailsPatch): Promise<void> {
    return hosts.updateHostDetails(this.db, hostId, patch);
  }

  setRefetchRequested(hostId: number, requested: boolean): Promise<boolean> {
    return hosts.setRefetchRequested(this.db, hostId, requested);
  }

  moveHostsToTeam(hostIds: readonly number[], teamId: number | null): Promise<readonly MembershipChange[]> {
    return hosts.moveHostsToTeam(this.db, hostIds, teamId);
  }

  deleteHost(id: number): Promise<readonly MembershipChange[] | undefined> {
    return hosts.deleteHost(this.db, id);
  }

  markHostsSeen(hostIds: readonly number[], seenAt: Date): Promise<void> {
    return hosts.markHostsSeen(this.db, hostIds, seenAt);
  }

  hostChangesSince(cursor: string | undefined): Promise<HostChanges> {
    return feed.hostChangesSince(this.db, cursor);
  }

  // --- orbit (fleetd) and device tokens -----------------------------------------------------

  async enrollOrbit(identity: OrbitHostIdentity, orbitNodeKey: string, teamId: number | null, now: Date): Promise<OrbitEnrollResult> {
    return orbit.enrollOrbit(this.db, identity, orbitNodeKey, teamId, now);
  }

  async getHostByOrbitNodeKey(orbitNodeKey: string): Promise<Host | undefined> {
    return orbit.getHostByOrbitNodeKey(this.db, orbitNodeKey);
  }

  async setDeviceAuthToken(hostId: number, token: string, now: Date): Promise<Date> {
    return orbit.setDeviceAuthToken(this.db, hostId, token, now);
  }

  async getHostByDeviceAuthToken(token: string, validSince: Date): Promise<Host | undefined> {
    return orbit.getHostByDeviceAuthToken(this.db, token, validSince);
  }

  async getDeviceAuthToken(token: string): Promise<DeviceAuthToken | undefined> {
    return orbit.getDeviceAuthToken(this.db, token);
  }

  async setHostOrbitInfo(hostId: number, info: HostOrbitInfo, now: Date): Promise<void> {
    return orbit.setHostOrbitInfo(this.db, hostId, info, now);
  }

  async getHostOrbitInfo(hostId: number): Promise<HostOrbitInfo | undefined> {
    return orbit.getHostOrbitInfo(this.db, hostId);
  }

  // --- policies ---------------------------------------------------------------------------

  createPolicy(input: PolicyInput): Promise<Policy> {
    return policies.createPolicy(this.db, input);
  }

  getPolicy(id: number): Promise<Policy | undefined> {
    return policies.getPolicy(this.db, id);
  }

  listPolicies(teamId: number | null): Promise<Policy[]> {
    return policies.listPolicies(this.db, teamId);
  }

  listAllPolicies(): Promise<Policy[]> {
    return policies.listAllPolicies(this.db);
  }

  policiesForHost(teamId: number | null, fleetPlatform: string): Promise<Policy[]> {
    return policies.policiesForHost(this.db, teamId, fleetPlatform);
  }

  updatePolicy(id: number, patch: PolicyPatch): Promise<PolicyUpdateResult | undefined> {
    return policies.updatePolicy(this.db, id, patch);
  }

  deletePolicies(ids: readonly number[]): Promise<number[]> {
    return policies.deletePolicies(this.db, ids);
  }

  applyPolicySpecs(
    specs: readonly PolicySpecInput[],
  ): Promise<Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }>> {
    return policies.applyPolicySpecs(this.db, specs);
  }

  // --- membership (policy results) --------------------------------------------------------

  getHostVitals(hostId: number): Promise<HostVitals | undefined> {
    return vitals.getHostVitals(this.db, hostId);
  }

  countVitals(): Promise<VitalsCounts> {
    return vitals.countVitals(this.db);
  }

  recordPolicyResults(
    batch: readonly HostPolicyResults[],
    options?: { trackChanges?: boolean },
  ): Promise<RecordResultsOutcome> {
    return membership.recordPolicyResults(this.db, batch, options);
  }

  hostMembership(hostId: number): Promise<MembershipRow[]> {
    return membership.hostMembership(this.db, hostId);
  }

  getMembership(policyId: number, hostId: number): Promise<PolicyPasses | undefined> {
    return membership.getMembership(this.db, policyId, hostId);
  }

  clearPolicyMembershipBatch(
    policyId: number,
    limit: number,
    keepPlatforms?: string,
    olderThan?: Date,
  ): Promise<readonly MembershipChange[]> {
    return membership.clearPolicyMembershipBatch(this.db, policyId, limit, keepPlatforms, olderThan);
  }

  countMembership(): Promise<number> {
    return membership.countMembership(this.db);
  }

  // --- counts (policy_stats) --------------------------------------------------------------

  computePolicyCounts(policyIds?: readonly number[]): Promise<ComputedCounts> {
    return counts.computePolicyCounts(this.db, policyIds);
  }

  upsertPolicyCounts(rows: ReadonlyArray<Omit<PolicyCount, 'updatedAt'>>, updatedAt: Date): Promise<void> {
    return counts.upsertPolicyCounts(this.db, rows, updatedAt);
  }

  addPolicyCountDeltas(deltas: ReadonlyArray<Omit<PolicyCount, 'updatedAt'>>, updatedAt: Date): Promise<void> {
    return counts.addPolicyCountDeltas(this.db, deltas, updatedAt);
  }

  readPolicyCounts(policyIds?: readonly number[]): Promise<PolicyCount[]> {
    return counts.readPolicyCounts(this.db, policyIds);
  }

  deletePolicyCounts(policyId: number): Promise<void> {
    return counts.deletePolicyCounts(this.db, policyId);
  }

  // --- leases and runs --------------------------------------------------------------------

  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return leases.acquireLease(this.db, name, owner, ttlMs);
  }

  releaseLease(name: string, owner: string): Promise<void> {
    return leases.releaseLease(this.db, name, owner);
  }

  recordStatsRun(run: StatsRun): Promise<StatsRun> {
    return leases.recordStatsRun(this.db, run);
  }

  listStatsRuns(limit: number): Promise<StatsRun[]> {
    return leases.listStatsRuns(this.db, limit);
  }

  // --- labels -----------------------------------------------------------------------------

  createLabel(input: LabelInput): Promise<Label> {
    return labels.createLabel(this.db, input);
  }

  getLabel(id: number): Promise<Label | undefined> {
    return labels.getLabel(this.db, id);
  }

  getLabelByName(name: string): Promise<Label | undefined> {
    return labels.getLabelByName(this.db, name);
  }

  listLabels(): Promise<Label[]> {
    return labels.listLabels(this.db);
  }

  updateLabel(id: number, patch: LabelPatch): Promise<Label | undefined> {
    return labels.updateLabel(this.db, id, patch);
  }

  deleteLabel(id: number): Promise<boolean> {
    return labels.deleteLabel(this.db, id);
  }

  applyLabelSpecs(specs: readonly LabelSpecInput[]): Promise<Label[]> {
    return labels.applyLabelSpecs(this.db, specs);
  }

  labelQueriesForHost(platform: string, osVersion: string): Promise<Array<{ id: number; query: string }>> {
    return labels.labelQueriesForHost(this.db, platform, osVersion);
  }

  recordLabelResults(results: HostLabelResults): Promise<void> {
    return labels.recordLabelResults(this.db, results);
  }

  hostLabelIds(hostId: number): Promise<number[]> {
    return labels.hostLabelIds(this.db, hostId);
  }

  labelHostIds(labelId: number): Promise<number[]> {
    return labels.labelHostIds(this.db, labelId);
  }

  clearPolicyMembershipOutsideLabels(policyId: number): Promise<readonly MembershipChange[]> {
    return labels.clearPolicyMembershipOutsideLabels(this.db, policyId);
  }

  // --- scheduled queries and reports --------------------------------------------------------

  createQuery(input: QueryInput): Promise<ScheduledQuery> {
    return queries.createQuery(this.db, input);
  }

  getQuery(id: number): Promise<ScheduledQuery | undefined> {
    return queries.getQuery(this.db, id);
  }

  getQueryByName(teamId: number | null, name: string): Promise<ScheduledQuery | undefined> {
    return queries.getQueryByName(this.db, teamId, name);
  }

  listQueries(teamId: number | null): Promise<ScheduledQuery[]> {
    return queries.listQueries(this.db, teamId);
  }

  updateQuery(id: number, patch: QueryPatch): Promise<QueryUpdateResult | undefined> {
    return queries.updateQuery(this.db, id, patch);
  }

  deleteQueries(ids: readonly number[]): Promise<number[]> {
    return queries.deleteQueries(this.db, ids);
  }

  scheduledQueries(teamId: number | null): Promise<ScheduledQuery[]> {
    return queries.scheduledQueries(this.db, teamId);
  }

  recordQueryResults(writes: readonly QueryResultWrite[], cap: number): Promise<QueryResultsOutcome> {
    return queries.recordQueryResults(this.db, writes, cap);
  }

  queryResults(queryId: number): Promise<QueryResultRow[]> {
    return queries.queryResults(this.db, queryId);
  }

  countQueryResults(queryId: number): Promise<number> {
    return queries.countQueryResults(this.db, queryId);
  }

  // --- fleetctl apply of a whole file -------------------------------------------------------

  applySpecs(input: SpecsInput): Promise<SpecsOutcome> {
    return specs.applySpecs(this.db, input);
  }
}
