/**
 * The Store: everything the server keeps. Two implementations pass one contract suite
 * (test/server/store/contract.ts): `memory` (embedded default, zero set-up) and `mysql` (mysql2 pool).
 *
 * Errors: methods throw OsqsimError codes from lib/errors.ts — STORE_UNAVAILABLE when the
 * database cannot be reached (the server answers 503 and stays up), STORE_CONFLICT for a
 * duplicate (team, name) or team name, STORE_NOT_FOUND for an unknown id where the method says so.
 * A method that throws has changed nothing (each is one transaction).
 */
import type {
  DeviceAuthToken,
  EnrollSecret,
  Host,
  HostChanges,
  HostDetailsPatch,
  HostIdentity,
  HostListFilter,
  HostLabelResults,
  HostOrbitInfo,
  HostPolicyResults,
  Label,
  LabelInput,
  LabelPatch,
  LabelSpecInput,
  HostVitals,
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
  VitalsCounts,
} from './types.js';

import type {
  QueryInput,
  QueryPatch,
  QueryResultRow,
  QueryResultsOutcome,
  QueryResultWrite,
  QueryUpdateResult,
  ScheduledQuery,
} from './query-types.js';

export type * from './types.js';
export type * from './query-types.js';

export type StoreKind = 'memory' | 'mysql';

export interface EnrollResult {
  readonly host: Host;
  /** True when a host with this osquery_host_id existed (its policy results were wiped, its timers kept). */
  readonly reenrolled: boolean;
  /** Membership rows removed by a re-enroll (for delta-keeping count strategies). */
  readonly removed: readonly MembershipChange[];
}

export interface PolicyUpdateResult {
  readonly policy: Policy;
  /** The query changed: every membership row of the policy must go (done by clearPolicyMembershipBatch). */
  readonly queryChanged: boolean;
  /** The platform list changed: rows of hosts on other platforms must go. */
  readonly platformsChanged: boolean;
  /** The label scope changed: rows of hosts outside it go (LabelStore.clearPolicyMembershipOutsideLabels). */
  readonly labelsChanged?: boolean;
}

export interface RecordResultsOutcome {
  /** Membership rows written (inserted or updated). */
  readonly rowsWritten: number;
  /** SQL statements the batch sent (reads and writes, BEGIN and COMMIT included); 0 for the memory store. */
  readonly statements?: number;
  /** Per-cell changes, only when recordPolicyResults was asked to track them. */
  readonly changes: readonly MembershipChange[];
}

/** Per-policy counts computed from policy_membership (the aggregation input). */
export interface ComputedCounts {
  readonly counts: ReadonlyArray<Omit<PolicyCount, 'updatedAt'>>;
  /** Membership rows read to compute them. */
  readonly rowsScanned: number;
}

/**
 * The Store in role-sized slices, one per entity file of each implementation, so that a consumer
 * can declare the part it uses (for instance `MembershipStore & CountStore`).
 */
export interface Store
  extends TeamStore, HostStore, OrbitStore, PolicyStore, MembershipStore, CountStore, LeaseStore, LabelStore, VitalsStore, QueryStore, SpecStore {
  readonly kind: StoreKind;
  /** Creates or upgrades the schema; idempotent. */
  migrate(): Promise<void>;
  /** Resolves when the store answers; throws STORE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Teams and enroll secrets. */
export interface TeamStore {
  createTeam(name: string, description?: string): Promise<Team>;
  getTeam(id: number): Promise<Team | undefined>;
  getTeamByName(name: string): Promise<Team | undefined>;
  listTeams(): Promise<Team[]>;
  /** Deletes the team, its policies (and their membership and stats) and its secrets; its hosts move to no team. False if unknown. */
  deleteTeam(id: number): Promise<boolean>;
  findEnrollSecret(secret: string): Promise<EnrollSecret | undefined>;
  listEnrollSecrets(teamId: number | null): Promise<EnrollSecret[]>;
  /** Replaces the scope's secrets (Fleet's PATCH /teams/{id}/secrets); STORE_CONFLICT if one belongs to another scope. */
  replaceEnrollSecrets(teamId: number | null, secrets: readonly string[]): Promise<EnrollSecret[]>;
  /** Adds a secret if absent (server start-up `--enroll-secret`); an existing secret keeps its scope. */
  ensureEnrollSecret(secret: string, teamId: number | null): Promise<EnrollSecret>;
}

/** Hosts, their last-seen times, and the host change feed. */
export interface HostStore {
  /**
   * Enrolls by osquery_host_id: a new host is due everything (refetch, old timestamps); an existing
   * one keeps its id and its timers (detail/policy updated_at, refetch flag), gets the new node key
   * and team, and loses its policy results (Fleet's EnrollHost, server/datastore/mysql/hosts.go).
   */
  enrollHost(identity: HostIdentity, nodeKey: string, teamId: number | null, now: Date): Promise<EnrollResult>;
  getHost(id: number): Promise<Host | undefined>;
  getHostByNodeKey(nodeKey: string): Promise<Host | undefined>;
  /** The hosts with these ids that exist, in id order (the hot-path cache refreshes changed hosts in one call). */
  getHosts(ids: readonly number[]): Promise<Host[]>;
  listHosts(filter: HostListFilter): Promise<Host[]>;
  countHosts(filter: HostListFilter): Promise<number>;
  updateHostDetails(hostId: number, patch: HostDetailsPatch): Promise<void>;
  setRefetchRequested(hostId: number, requested: boolean): Promise<boolean>;
  /**
   * Moves hosts to a team (null = no team); their team-policy rows that no longer apply are removed.
   * Returned changes: each removed row (before → undefined, old team), and for every global-policy row
   * a pair (before → undefined under the old team, undefined → before under the new team) so delta
   * strategies can move inherited per-team counts. STORE_NOT_FOUND for an unknown team.
   */
  moveHostsToTeam(hostIds: readonly number[], teamId: number | null): Promise<readonly MembershipChange[]>;
  /** Deletes the host and its membership rows; undefined if unknown. */
  deleteHost(id: number): Promise<readonly MembershipChange[] | undefined>;
  /** Batched last-seen upsert (host_seen_times), from the in-memory batcher. */
  markHostsSeen(hostIds: readonly number[], seenAt: Date): Promise<void>;
  /**
   * The change feed the hot-path cache polls (DESIGN §3 Hot path, §7): hosts changed or deleted
   * since `cursor` (undefined = from now on, with reset set), and the current policies version.
   * Every write of a host row counts except last-seen. MySQL reads hosts.changed_at (DB clock,
   * ON UPDATE CURRENT_TIMESTAMP(3)) and the host_deletions tombstones with an overlap window, so a
   * transaction that commits up to FEED_OVERLAP after its statement is still reported; memory
   * keeps an in-process log.
   */
  hostChangesSince(cursor: string | undefined): Promise<HostChanges>;
}

/**
 * fleetd (orbit) and Fleet Desktop: the orbit node key on the host and the device auth tokens
 * (Fleet's hosts.orbit_node_key and host_device_auth, server/datastore/mysql/hosts.go).
 */
export interface OrbitStore {
  /**
   * Fleet's EnrollOrbit (server/datastore/mysql/hosts.go), one transaction: matches a host by
   * osquery_host_id (the osquery identifier, or the hardware UUID when there is none), then by
   * uuid; a match gets the orbit node key (and uuid, serial when given); otherwise a new host row
   * is inserted, due everything (old timestamps, refetch), with no usable osquery node key until
   * osquery enrolls. STORE_NOT_FOUND for an unknown team; STORE_CONFLICT if the key is taken.
   */
  enrollOrbit(identity: OrbitHostIdentity, orbitNodeKey: string, teamId: number | null, now: Date): Promise<OrbitEnrollResult>;
  /** Fleet's LoadHostByOrbitNodeKey. */
  getHostByOrbitNodeKey(orbitNodeKey: string): Promise<Host | undefined>;
  /**
   * Fleet's SetOrUpdateDeviceAuthToken: upserts the host's one token; updated_at moves only when the
   * token changes. STORE_CONFLICT when another host holds the token, STORE_NOT_FOUND for an unknown host.
   * Resolves with the token's set time (`now` for a new token, the stored time for the same one).
   */
  setDeviceAuthToken(hostId: number, token: string, now: Date): Promise<Date>;
  /** Fleet's LoadHostByDeviceAuthToken: the host whose token this is, if it was set at or after validSince. */
  getHostByDeviceAuthToken(token: string, validSince: Date): Promise<Host | undefined>;
  /**
   * The token's host and when it was set, whatever its age (the orbit auth cache checks the TTL
   * itself); undefined for an unknown token or a deleted host. A change of a host's token counts as
   * a change of its host row in the change feed (hostChangesSince), so other instances drop it.
   */
  getDeviceAuthToken(token: string): Promise<DeviceAuthToken | undefined>;
  /**
   * Fleet's SetOrUpdateHostOrbitInfo (server/datastore/mysql/hosts.go): upserts host_orbit_info from
   * the osquery detail query `orbit_info` (server/service/osquery_utils/queries.go), not from an
   * orbit endpoint. Unknown host: nothing is written.
   */
  setHostOrbitInfo(hostId: number, info: HostOrbitInfo, now: Date): Promise<void>;
  getHostOrbitInfo(hostId: number): Promise<HostOrbitInfo | undefined>;
}

export interface PolicyStore {
  /** STORE_CONFLICT on a duplicate (team, name). */
  createPolicy(input: PolicyInput): Promise<Policy>;
  getPolicy(id: number): Promise<Policy | undefined>;
  /** Policies with exactly this teamId (null = global). */
  listPolicies(teamId: number | null): Promise<Policy[]>;
  listAllPolicies(): Promise<Policy[]>;
  /** Global + team (or No-team for teamId null) policies matching the Fleet platform ('' matches only policies for all platforms). */
  policiesForHost(teamId: number | null, fleetPlatform: string): Promise<Policy[]>;
  /** undefined if unknown; STORE_CONFLICT on a duplicate name. Does not remove membership or counts itself. */
  updatePolicy(id: number, patch: PolicyPatch): Promise<PolicyUpdateResult | undefined>;
  /** Deletes policies with their membership and stats; returns the ids that existed. */
  deletePolicies(ids: readonly number[]): Promise<number[]>;
  /** fleetctl apply: upsert by (teamId, name), all or nothing; returns the policies in spec order. */
  applyPolicySpecs(specs: readonly PolicySpecInput[]): Promise<Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }>>;
}

/** Membership: the policy results of each host. */
export interface MembershipStore {
  /**
   * One transaction for a whole ingest batch: upserts every result (sorted by policy, host), sets
   * each host's policy_updated_at and clears its refetch flag. With trackChanges, returns
   * per-cell changes for delta strategies. Rows for a host id that does not exist are stored but
   * never counted, and no change is reported for them.
   */
  recordPolicyResults(batch: readonly HostPolicyResults[], options?: { trackChanges?: boolean }): Promise<RecordResultsOutcome>;
  hostMembership(hostId: number): Promise<MembershipRow[]>;
  getMembership(policyId: number, hostId: number): Promise<PolicyPasses | undefined>;
  /**
   * Removes up to `limit` membership rows of a policy — all rows, or (with keepPlatforms) rows of
   * hosts whose Fleet platform is not in the list. Small batches keep edits off the ingest path.
   * With olderThan (the edit time), only rows last written before it go: answers hosts sent to the
   * edited policy after the edit survive the clean-up.
   * Returns the removed cells; an empty array means the clean-up is finished.
   */
  clearPolicyMembershipBatch(
    policyId: number,
    limit: number,
    keepPlatforms?: string,
    olderThan?: Date,
  ): Promise<readonly MembershipChange[]>;
  /** Number of membership rows (all policies). */
  countMembership(): Promise<number>;
}

/**
 * Host vitals (Fleet's detail-query tables: hosts columns, host_disks, host_users, software +
 * host_software, host_mdm, host_batteries). They are written by recordPolicyResults, in the same
 * transaction as the policy results, from HostPolicyResults.vitals; deleteHost removes them.
 */
export interface VitalsStore {
  /** The host's stored vitals; undefined for an unknown host. */
  getHostVitals(hostId: number): Promise<HostVitals | undefined>;
  /** Rows in each vitals table (software rows are shared between hosts). */
  countVitals(): Promise<VitalsCounts>;
}

/** Policy counts (policy_stats). */
export interface CountStore {
  /**
   * Counts from policy_membership without locking writers: overall (inheritedTeamId null) for
   * every policy, and per team (0 = No team) for global policies. Only passes 1/0 count, and only
   * rows of hosts that exist (rows left by a deleted host are not counted); rowsScanned likewise.
   */
  computePolicyCounts(policyIds?: readonly number[]): Promise<ComputedCounts>;
  /** Upserts count rows (small batches, no long transaction), stamping updatedAt. */
  upsertPolicyCounts(counts: ReadonlyArray<Omit<PolicyCount, 'updatedAt'>>, updatedAt: Date): Promise<void>;
  /** Adds deltas to count rows (creating them at 0), stamping updatedAt. */
  addPolicyCountDeltas(deltas: ReadonlyArray<Omit<PolicyCount, 'updatedAt'>>, updatedAt: Date): Promise<void>;
  readPolicyCounts(policyIds?: readonly number[]): Promise<PolicyCount[]>;
  deletePolicyCounts(policyId: number): Promise<void>;
}

/** Leases (one stats runner at a time across server instances) and the stats-run log. */
export interface LeaseStore {
  /** Extend if owned, take over if expired, create if absent (reference §5.2). True when held. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  recordStatsRun(run: StatsRun): Promise<StatsRun>;
  listStatsRuns(limit: number): Promise<StatsRun[]>;
}

/**
 * Labels (Fleet's labels, label_membership, policy_labels; reference fleet-host-vitals.md §3):
 * built-in labels are seeded by migrate(); names are unique across all labels.
 */
export interface LabelStore {
  /** STORE_CONFLICT on a duplicate name; STORE_NOT_FOUND for an unknown member host id. */
  createLabel(input: LabelInput): Promise<Label>;
  getLabel(id: number): Promise<Label | undefined>;
  getLabelByName(name: string): Promise<Label | undefined>;
  /** Every label in id order, with its host count. */
  listLabels(): Promise<Label[]>;
  /**
   * undefined if unknown; STORE_CONFLICT on a duplicate name; STORE_NOT_FOUND for an unknown member
   * host id. The caller refuses builtin labels and members on dynamic ones.
   */
  updateLabel(id: number, patch: LabelPatch): Promise<Label | undefined>;
  /** Deletes the label, its membership and its policy scopes (Fleet: ON DELETE CASCADE). False if unknown. */
  deleteLabel(id: number): Promise<boolean>;
  /** fleetctl apply: upsert by name, all or nothing (STORE_NOT_FOUND for an unknown member host id). */
  applyLabelSpecs(specs: readonly LabelSpecInput[]): Promise<Label[]>;
  /**
   * Fleet's LabelQueriesForHost (server/datastore/mysql/labels.go): dynamic labels whose platform is
   * '' or the host's (rhel hosts whose os_version names CentOS count as centos), in id order.
   */
  labelQueriesForHost(platform: string, osVersion: string): Promise<Array<{ id: number; query: string }>>;
  /**
   * Fleet's RecordLabelQueryExecutions, one transaction: members are upserted, non-members and
   * errored results deleted, hosts.label_updated_at set. Results for labels that are not among the
   * host's label queries (unknown, manual, other platform) count as "not a member", as Fleet forces
   * them to false (server/service/osquery.go SubmitDistributedQueryResults): an unknown label id
   * changes nothing. Unknown host: nothing is written.
   */
  recordLabelResults(results: HostLabelResults): Promise<void>;
  /** The ids of the labels this host is a member of, ascending. */
  hostLabelIds(hostId: number): Promise<number[]>;
  /** Member host ids (existing hosts) of a label, ascending. */
  labelHostIds(labelId: number): Promise<number[]>;
  /**
   * After a policy's label scope changed (Fleet POL-F updatePolicyLabelsTx clean-up): deletes the
   * policy's membership rows of hosts outside the scope; returns the removed cells.
   */
  clearPolicyMembershipOutsideLabels(policyId: number): Promise<readonly MembershipChange[]>;
}

/**
 * Scheduled queries ("reports") and their stored results (Fleet's queries and query_results
 * tables, server/datastore/mysql/queries.go and query_results.go). Deleting a team deletes its
 * queries; deleting a host or a query deletes its results.
 */
export interface QueryStore {
  /** STORE_CONFLICT on a duplicate (team, name); STORE_NOT_FOUND for an unknown team. */
  createQuery(input: QueryInput): Promise<ScheduledQuery>;
  getQuery(id: number): Promise<ScheduledQuery | undefined>;
  getQueryByName(teamId: number | null, name: string): Promise<ScheduledQuery | undefined>;
  /** Queries with exactly this teamId (null = global), by id. */
  listQueries(teamId: number | null): Promise<ScheduledQuery[]>;
  /**
   * Applies a patch in one transaction; a stale report (query-rules.ts editDiscardsResults) is deleted
   * with it. undefined if unknown; STORE_CONFLICT on a duplicate name.
   */
  updateQuery(id: number, patch: QueryPatch): Promise<QueryUpdateResult | undefined>;
  /** Deletes queries with their results; returns the ids that existed. */
  deleteQueries(ids: readonly number[]): Promise<number[]>;
  /**
   * The queries of one pack of an agent's schedule (Fleet's ListScheduledQueriesForAgents):
   * global (null) or one team's, each scheduled and either feeding automations or keeping a report.
   */
  scheduledQueries(teamId: number | null): Promise<ScheduledQuery[]>;
  /**
   * Stores result sets in one transaction (Fleet's OverwriteQueryResultRows): each replaces the
   * host's earlier rows of that query. A set with more than `cap` rows, or for a query whose
   * report already holds `cap` rows, is dropped whole; a set for a query or host that no longer
   * exists is ignored. The caller passes only the latest set per (query, host).
   */
  recordQueryResults(writes: readonly QueryResultWrite[], cap: number): Promise<QueryResultsOutcome>;
  /** The query's stored rows (data rows and empty-run markers), by host then insertion order. */
  queryResults(queryId: number): Promise<QueryResultRow[]>;
  /** Rows with data stored for the query (Fleet's ResultCountForQuery). */
  countQueryResults(queryId: number): Promise<number>;
}

/** What one fleetctl file asks for, per kind the server serves; applied together. */
export interface SpecsInput {
  /** Applied first, so the file's policies may name them in labels_include_any / labels_exclude_any. */
  readonly labels?: readonly LabelSpecInput[];
  readonly policies: readonly PolicySpecInput[];
  readonly queries: readonly QueryInput[];
}

export interface SpecsOutcome {
  readonly labels: Label[];
  readonly policies: Array<{ policy: Policy; result: PolicyUpdateResult | 'created' }>;
  readonly queries: Array<{ query: ScheduledQuery; result: QueryUpdateResult | 'created' }>;
}

/** fleetctl apply of a whole file: every kind in one transaction, all or nothing. */
export interface SpecStore {
  /**
   * Upserts labels by name, then policies and queries by (team, name), in one transaction;
   * STORE_NOT_FOUND for an unknown team, host or label (then nothing was written). Stale reports of
   * edited queries are deleted with it.
   */
  applySpecs(specs: SpecsInput): Promise<SpecsOutcome>;
}
