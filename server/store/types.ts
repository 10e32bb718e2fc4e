/**
 * The server's domain records, as the Store hands them out. Timestamps are JS Dates (UTC);
 * ids are positive integers assigned by the store.
 *
 * Team scoping follows Fleet (reference fleet-policies.md §2.5, §4.2):
 *  - host.teamId: null = no team, N = team N;
 *  - policy.teamId: null = global (applies to every host), 0 = "No team" (hosts whose teamId is
 *    null), N = team N's hosts only.
 */

export type PolicyPasses = boolean | null; // true pass, false fail, null unknown (error / not run)

export interface Team {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly createdAt: Date;
}

export interface EnrollSecret {
  readonly secret: string;
  /** null = global (hosts enroll with no team). */
  readonly teamId: number | null;
  readonly createdAt: Date;
}

export interface Host {
  readonly id: number;
  readonly osqueryHostId: string;
  readonly nodeKey: string;
  readonly teamId: number | null;
  /** Raw osquery platform (darwin, windows, ubuntu, rhel, …); '' until known. */
  readonly platform: string;
  readonly hostname: string;
  readonly uuid: string;
  readonly hardwareSerial: string;
  readonly osVersion: string;
  readonly osqueryVersion: string;
  readonly uptimeSeconds: number;
  readonly detailUpdatedAt: Date;
  readonly policyUpdatedAt: Date;
  /**
   * The host's last label run (Fleet's hosts.label_updated_at); absent = never (due at once). The
   * memory store sets it on the first label write; MySQL reads the column (default long ago).
   */
  readonly labelUpdatedAt?: Date;
  readonly refetchRequested: boolean;
  /** Intervals the agent last reported via config (seconds); 0 = unknown. */
  readonly distributedInterval: number;
  readonly loggerTlsPeriod: number;
  readonly configTlsRefresh: number;
  readonly lastEnrolledAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Last check-in as flushed from the last-seen batcher (may lag by the flush interval). */
  readonly seenTime: Date | null;
}

/** What enroll learns from osquery's host_details and the request. */
export interface HostIdentity {
  readonly osqueryHostId: string;
  readonly platform: string;
  readonly hostname: string;
  readonly uuid: string;
  readonly hardwareSerial: string;
  readonly osVersion: string;
  readonly osqueryVersion: string;
}

/** Detail-query results applied to a host (only the given fields change). */
export interface HostDetailsPatch {
  platform?: string;
  hostname?: string;
  uuid?: string;
  hardwareSerial?: string;
  osVersion?: string;
  osqueryVersion?: string;
  uptimeSeconds?: number;
  detailUpdatedAt?: Date;
  refetchRequested?: boolean;
  distributedInterval?: number;
  loggerTlsPeriod?: number;
  configTlsRefresh?: number;
}

/**
 * Host columns the detail queries set besides HostDetailsPatch (Fleet's hosts columns written by
 * the IngestFuncs of server/service/osquery_utils/queries.go: os_version, system_info,
 * network_interface_*, uptime). Only the given fields change.
 */
export interface HostVitalsColumns {
  platformLike?: string;
  codeName?: string;
  build?: string;
  /** Bytes (system_info.physical_memory). */
  memory?: number;
  cpuType?: string;
  cpuSubtype?: string;
  cpuBrand?: string;
  cpuPhysicalCores?: number;
  cpuLogicalCores?: number;
  hardwareVendor?: string;
  hardwareModel?: string;
  hardwareVersion?: string;
  computerName?: string;
  primaryIp?: string;
  primaryMac?: string;
  /** The address the request came from ('' when unknown), as Fleet's ingestNetworkInterface sets it. */
  publicIp?: string;
  lastRestartedAt?: Date;
}

/** Fleet's host_disks row (SetOrUpdateHostDisksSpace). */
export interface HostDiskSpace {
  readonly gigsAvailable: number;
  readonly percentAvailable: number;
  readonly gigsTotal: number;
  /** Linux only: the sum over real block-device mounts; null when unknown. */
  readonly gigsAll: number | null;
}

/** Fleet's host_users row. */
export interface HostUser {
  readonly uid: number;
  readonly username: string;
  readonly type: string;
  readonly groupname: string;
  readonly shell: string;
}

/**
 * One software item a host reported (Fleet's fleet.Software from directIngestSoftware). The
 * software row is shared by every host that reports the same identity (name, version, source,
 * bundle identifier, release, arch, vendor, extension for, extension id — Fleet's checksum).
 */
export interface SoftwareItem {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly bundleIdentifier: string;
  readonly release: string;
  readonly arch: string;
  readonly vendor: string;
  readonly extensionId: string;
  readonly extensionFor: string;
  /** Per host (host_software.last_opened_at); null when the source does not say. */
  readonly lastOpenedAt: Date | null;
}

/** A stored software row with its shared id. */
export interface HostSoftware extends SoftwareItem {
  readonly id: number;
}

/** Fleet's host_mdm row (with the MDM solution's name inline instead of mdm_id). */
export interface HostMdmInfo {
  readonly enrolled: boolean;
  readonly serverUrl: string;
  readonly installedFromDep: boolean;
  /** Windows: from the installation type; null elsewhere. */
  readonly isServer: boolean | null;
  /** Solution name deduced from the server URL ('Fleet', 'Intune', 'Jamf', … or ''). */
  readonly name: string;
}

/** Fleet's host_batteries row. */
export interface HostBattery {
  readonly serialNumber: string;
  readonly cycleCount: number;
  /** 'Normal', 'Service recommended' or 'Unknown' (Fleet's directIngestBattery). */
  readonly health: string;
}

/**
 * What one distributed/write's detail results change, stored in the same transaction as the
 * write's policy results. Absent fields were not reported (the stored value stays); an empty
 * users list writes nothing (Fleet: "an empty answer writes nothing"); an empty software or
 * battery list is a real answer and empties the host's list.
 */
export interface HostVitalsReport {
  readonly host?: HostDetailsPatch & HostVitalsColumns;
  readonly diskSpace?: HostDiskSpace;
  readonly users?: readonly HostUser[];
  readonly software?: readonly SoftwareItem[];
  readonly mdm?: HostMdmInfo;
  readonly batteries?: readonly HostBattery[];
  /** host_orbit_info (the `orbit_info` detail query): replaces the stored row. */
  readonly orbitInfo?: HostOrbitInfo;
}

/** A host's stored vitals, as GET /api/v1/fleet/hosts/:id shows them. */
export interface HostVitals {
  readonly columns: Readonly<HostVitalsColumns>;
  readonly diskSpace: HostDiskSpace | undefined;
  /** Current users (removed ones are kept with removed_at, as Fleet, but not listed). */
  readonly users: readonly HostUser[];
  readonly software: readonly HostSoftware[];
  readonly mdm: HostMdmInfo | undefined;
  readonly batteries: readonly HostBattery[];
}

/** Row counts of the vitals tables (tests and benchmarks). */
export interface VitalsCounts {
  readonly software: number;
  readonly hostSoftware: number;
  readonly hostUsers: number;
  readonly hostDisks: number;
  readonly hostMdm: number;
  readonly hostBatteries: number;
}

export interface Policy {
  readonly id: number;
  readonly teamId: number | null;
  readonly name: string;
  readonly query: string;
  readonly description: string;
  readonly resolution: string;
  /** Comma list of Fleet platforms (darwin, windows, linux, chrome); '' = all. */
  readonly platforms: string;
  readonly critical: boolean;
  readonly authorId: number | null;
  readonly authorName: string;
  readonly authorEmail: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /**
   * When an edit last changed the query or the platform list (absent: unchanged since creation).
   * A host in scope whose policies last ran before it is due this policy at its next read.
   */
  readonly queryChangedAt?: Date;
  /**
   * Label scope (Fleet's policy_labels, reference fleet-policies.md §2.5): the policy goes to a
   * host that is a member of at least one include label (when any) and of no exclude label.
   * Absent or empty = no scope.
   */
  readonly labelsIncludeAny?: readonly LabelRef[];
  readonly labelsExcludeAny?: readonly LabelRef[];
}

/** A label as a policy names it ({"id", "name"} in Fleet's JSON). */
export interface LabelRef {
  readonly id: number;
  readonly name: string;
}

/** Label names a policy write sets (resolved by the store; an unknown name is STORE_NOT_FOUND). */
export interface PolicyLabelNames {
  /** undefined = leave as is (patch) or none (create). */
  labelsIncludeAny?: readonly string[];
  labelsExcludeAny?: readonly string[];
}

export interface PolicyInput extends PolicyLabelNames {
  teamId: number | null;
  name: string;
  query: string;
  description?: string;
  resolution?: string;
  platforms?: string;
  critical?: boolean;
  authorId?: number | null;
  authorName?: string;
  authorEmail?: string;
}

/** Partial modify (Fleet's ModifyPolicyPayload): omitted fields stay as they are. */
export interface PolicyPatch extends PolicyLabelNames {
  name?: string;
  query?: string;
  description?: string;
  resolution?: string;
  platforms?: string;
  critical?: boolean;
}

export interface MembershipRow {
  readonly policyId: number;
  readonly hostId: number;
  readonly passes: PolicyPasses;
  readonly updatedAt: Date;
}

/** One host's results from one distributed/write, as the ingest batcher hands them to the store. */
export interface HostPolicyResults {
  readonly hostId: number;
  /** Sorted by policyId is not required; the store sorts. Empty = wildcard answer (only bumps policy_updated_at). */
  readonly results: ReadonlyArray<{ readonly policyId: number; readonly passes: PolicyPasses }>;
  readonly reportedAt: Date;
  /**
   * The write is the host's policy run (every in-scope policy was sent, or the no-policies
   * wildcard): its stored rows for policies with no result here are stale and are deleted in the
   * same transaction. Fleet: server/service/osquery.go, cleanupOutOfScopePolicyMembership on the
   * stalePolicyIDs RecordPolicyQueryExecutions returns ("policies with a stored row but no result
   * in the host's incoming distributed write"), and after the wildcard, where "all of its stored
   * policy_membership rows are stale".
   */
  readonly deleteUnanswered?: boolean;
  /**
   * Answers to edited policies only (`--edited-policies immediate`): the rows are stored but the
   * host row is left alone (policy_updated_at and the refetch flag unchanged), so the answer never
   * moves the host's policy timer.
   */
  readonly keepPolicyTimer?: boolean;
  /**
   * The write's detail (host vitals) results, stored in the same transaction as its policy results
   * (a write with vitals and no policy results carries results [] and keepPolicyTimer).
   */
  readonly vitals?: HostVitalsReport;
}

/**
 * A change to one (policy, host) membership cell, for strategies that keep counts by delta.
 * `before`/`after` undefined = no row. `teamId` is the host's team at the time of the change.
 */
export interface MembershipChange {
  readonly policyId: number;
  readonly hostId: number;
  readonly hostTeamId: number | null;
  readonly before: PolicyPasses | undefined;
  readonly after: PolicyPasses | undefined;
}

/**
 * A cached count row (Fleet's policy_stats). inheritedTeamId: null = overall count of the policy;
 * 0 = a global policy counted over "No team" hosts; N = a global policy counted over team N's hosts.
 */
export interface PolicyCount {
  readonly policyId: number;
  readonly inheritedTeamId: number | null;
  readonly passing: number;
  readonly failing: number;
  readonly updatedAt: Date;
}

export interface HostListFilter {
  readonly teamId?: number | null;
  readonly policyId?: number;
  /** With policyId: passing/failing hosts; without a response, hosts with no result (Fleet §6.5). */
  readonly policyResponse?: 'passing' | 'failing';
  readonly page?: number; // 0-based, as Fleet
  readonly perPage?: number;
}

export interface StatsRun {
  readonly id?: number;
  readonly strategy: string;
  readonly instance: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly rowsScanned: number;
  readonly policiesUpdated: number;
  /** Cells whose stored count differed from the recomputed one (incremental reconcile); 0 for others. */
  readonly drift: number;
}

export interface PolicySpecInput extends PolicyLabelNames {
  readonly name: string;
  readonly query: string;
  readonly description?: string;
  readonly resolution?: string;
  readonly platforms?: string;
  readonly critical?: boolean;
  /** null = global, 0 = No team, N = team id (the API resolves team names before calling the store). */
  readonly teamId: number | null;
}

/**
 * One read of the host change feed (Store.hostChangesSince). Delivery is at least once: a host may
 * be reported again in later reads. A consumer that caches hosts drops the changed and deleted ones
 * and, when `reset` is set, everything it holds.
 */
export interface HostChanges {
  /** Pass it to the next call. Opaque. */
  readonly cursor: string;
  /** The cursor was missing, unknown or too old: changes may have been missed. */
  readonly reset: boolean;
  /** Hosts created or changed (enroll, re-enroll, details, refetch flag, team, policy_updated_at). */
  readonly changedHostIds: readonly number[];
  readonly deletedHostIds: readonly number[];
  /** Differs whenever a policy was created, edited or deleted (compare for equality only). */
  readonly policiesVersion: string;
}

/** What orbit's enroll request says about the host (Fleet's fleet.OrbitHostInfo, server/fleet/orbit.go). */
export interface OrbitHostIdentity {
  readonly hardwareUuid: string;
  readonly hardwareSerial: string;
  readonly hostname: string;
  readonly platform: string;
  /** osquery's host identifier when orbit knows it; '' otherwise (the hardware UUID stands in). */
  readonly osqueryIdentifier: string;
  readonly computerName: string;
  readonly hardwareModel: string;
}

export interface OrbitEnrollResult {
  readonly host: Host;
  /** True when no host matched and a new row was inserted. */
  readonly created: boolean;
}

/** A host_device_auth row as the orbit auth cache needs it. */
export interface DeviceAuthToken {
  readonly hostId: number;
  /** When the token was set (Fleet's updated_at: an unchanged token keeps it). */
  readonly updatedAt: Date;
}

/** Fleet's host_orbit_info row: what the osquery `orbit_info` table reported (server/fleet/hosts.go HostOrbitInfo). */
export interface HostOrbitInfo {
  readonly version: string;
  /** null when Fleet Desktop's version is unknown. */
  readonly desktopVersion: string | null;
  /** null when orbit did not say. */
  readonly scriptsEnabled: boolean | null;
}

// --- labels (Fleet's labels and label_membership, reference fleet-host-vitals.md §3) ----------

/** Fleet's label_type: 0 regular (user-created), 1 builtin (seeded, not modifiable). */
export type LabelType = 'regular' | 'builtin';
/** Fleet's label_membership_type: dynamic (the label query runs on hosts) or manual (set by API). */
export type LabelMembershipType = 'dynamic' | 'manual';

export interface Label {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** The SQL the hosts run ('' for manual labels). */
  readonly query: string;
  /** '' = every platform, else a raw osquery platform (darwin, ubuntu, centos, windows, …). */
  readonly platform: string;
  readonly labelType: LabelType;
  readonly membershipType: LabelMembershipType;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Members that are existing hosts. */
  readonly hostCount: number;
}

export interface LabelInput {
  readonly name: string;
  readonly description?: string;
  readonly query: string;
  readonly platform?: string;
  readonly membershipType: LabelMembershipType;
  /** Manual labels: the members (existing host ids; an unknown id is STORE_NOT_FOUND). */
  readonly hostIds?: readonly number[];
}

/** Partial modify (Fleet's ModifyLabel): name, description, and the members of a manual label. */
export interface LabelPatch {
  readonly name?: string;
  readonly description?: string;
  /** Manual labels only: replaces the members ([] removes all); undefined leaves them. */
  readonly hostIds?: readonly number[];
}

/** fleetctl `kind: label`: upsert by name; query/platform/description replaced, members replaced for manual labels. */
export interface LabelSpecInput {
  readonly name: string;
  readonly description: string;
  readonly query: string;
  readonly platform: string;
  readonly membershipType: LabelMembershipType;
  /** Manual labels: the members by host id (undefined = leave as is). */
  readonly hostIds?: readonly number[];
}

/** One host's label answers from one distributed/write: true member, false not, null errored (not a member). */
export interface HostLabelResults {
  readonly hostId: number;
  readonly results: ReadonlyArray<{ readonly labelId: number; readonly member: boolean | null }>;
  readonly reportedAt: Date;
}
