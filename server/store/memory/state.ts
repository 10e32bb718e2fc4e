/**
 * The memory store's one state object, shared by its entity files (teams, hosts, feed, policies,
 * membership, counts, leases) as the MySQL files share the database.
 */
import { osqsimError } from '../../../lib/errors.js';
import type { EnrollSecret, Host, HostBattery, HostDiskSpace, HostMdmInfo, HostOrbitInfo, HostUser, HostVitalsColumns, Label, SoftwareItem, Policy, PolicyCount, PolicyPasses, StatsRun, Team } from '../types.js';
import { BUILTIN_LABELS } from '../label-rules.js';
import type { ScheduledQuery } from '../query-types.js';

export interface Cell {
  passes: PolicyPasses;
  updatedAt: Date;
}

/** One host's vitals rows. */
export interface HostVitalsState {
  columns: HostVitalsColumns;
  diskSpace?: HostDiskSpace;
  /** `uid\0username` → the user and when it stopped being reported (null = current). */
  users: Map<string, { user: HostUser; removedAt: Date | null }>;
  /** software id → last_opened_at (host_software). */
  software: Map<number, Date | null>;
  mdm?: HostMdmInfo;
  batteries: HostBattery[];
}

/** The software catalogue shared by all hosts (Fleet's software table, unique by checksum). */
export interface SoftwareCatalogue {
  nextId: number;
  readonly byChecksum: Map<string, number>;
  readonly byId: Map<number, SoftwareItem>;
}

/** One host's stored result of one query: its rows (none = an empty run) and when it arrived. */
export interface StoredQueryResult {
  readonly lastFetched: Date;
  readonly rows: ReadonlyArray<Readonly<Record<string, string>>>;
}

export interface MemoryState {
  nextTeamId: number;
  nextHostId: number;
  nextPolicyId: number;
  nextRunId: number;
  nextLabelId: number;
  nextQueryId: number;
  closed: boolean;

  readonly teams: Map<number, Team>;
  readonly secrets: Map<string, EnrollSecret>;
  readonly hosts: Map<number, Host>;
  readonly hostsByNodeKey: Map<string, number>;
  readonly hostsByOsqueryId: Map<string, number>;
  /** orbit node key → host id, and back (Fleet's hosts.orbit_node_key, unique). */
  readonly hostsByOrbitKey: Map<string, number>;
  readonly orbitKeyByHost: Map<number, string>;
  /** host id → its device auth token (Fleet's host_device_auth), and token → host id. */
  readonly deviceTokenByHost: Map<number, { token: string; updatedAt: Date }>;
  readonly hostsByDeviceToken: Map<string, number>;
  /** host id → host_orbit_info. */
  readonly orbitInfo: Map<number, HostOrbitInfo>;
  /** host id → its vitals rows; the software catalogue shared by hosts. */
  readonly vitals: Map<number, HostVitalsState>;
  readonly software: SoftwareCatalogue;
  readonly policies: Map<number, Policy>;
  /** policyKey(teamId, name) → policy id (the unique checksum key of MySQL). */
  readonly policiesByKey: Map<string, number>;
  /** policy id → host id → cell. */
  readonly membership: Map<number, Map<number, Cell>>;
  /** host id → policy ids with a cell (the KEY (host_id, passes) of MySQL). */
  readonly hostPolicies: Map<number, Set<number>>;
  readonly counts: Map<string, PolicyCount>;
  readonly queries: Map<number, ScheduledQuery>;
  /** queryKey(teamId, name) → query id (Fleet's UNIQUE (team_id_char, name)). */
  readonly queriesByKey: Map<string, number>;
  /** query id → host id → that host's latest stored result (query_results rows). */
  readonly queryResults: Map<number, Map<number, StoredQueryResult>>;
  readonly leases: Map<string, { owner: string; expiresAt: number }>;
  readonly runs: StatsRun[];
  /** Labels without their host count (computed on read); label id → member host ids, host id → label ids. */
  readonly labels: Map<number, Omit<Label, 'hostCount'>>;
  readonly labelMembers: Map<number, Set<number>>;
  readonly hostLabels: Map<number, Set<number>>;
  /**
   * The host change feed (hostChangesSince): one entry per host change, host id (> 0) or -id for
   * a delete; entry i has sequence number feedBase + i. Only this process writes the store, so a
   * change is in the log the moment it is made (no commit delay, no overlap window needed).
   */
  feedLog: number[];
  feedBase: number;
  policiesVersion: number;
}

export function createState(): MemoryState {
  const state: MemoryState = {
    nextTeamId: 1,
    nextHostId: 1,
    nextPolicyId: 1,
    nextRunId: 1,
    nextLabelId: 1,
    nextQueryId: 1,
    closed: false,
    teams: new Map(),
    secrets: new Map(),
    hosts: new Map(),
    hostsByNodeKey: new Map(),
    hostsByOsqueryId: new Map(),
    hostsByOrbitKey: new Map(),
    orbitKeyByHost: new Map(),
    deviceTokenByHost: new Map(),
    hostsByDeviceToken: new Map(),
    orbitInfo: new Map(),
    vitals: new Map(),
    software: { nextId: 1, byChecksum: new Map(), byId: new Map() },
    policies: new Map(),
    policiesByKey: new Map(),
    membership: new Map(),
    hostPolicies: new Map(),
    counts: new Map(),
    queries: new Map(),
    queriesByKey: new Map(),
    queryResults: new Map(),
    leases: new Map(),
    runs: [],
    labels: new Map(),
    labelMembers: new Map(),
    hostLabels: new Map(),
    feedLog: [],
    feedBase: 0,
    policiesVersion: 0,
  };
  seedBuiltinLabels(state);
  return state;
}

/** The built-in labels, as the MySQL store's migration 8 seeds them (ids 1…8 on a new store). */
function seedBuiltinLabels(state: MemoryState): void {
  const seededAt = new Date();
  for (const builtin of BUILTIN_LABELS) {
    const id = state.nextLabelId++;
    state.labels.set(id, {
      id,
      name: builtin.name,
      description: builtin.description,
      query: builtin.query,
      platform: '',
      labelType: 'builtin',
      membershipType: 'dynamic',
      createdAt: seededAt,
      updatedAt: seededAt,
    });
  }
}

/** Hosts, secrets and team policies may only name teams that exist (0 = No team is fine for policies). */
export function assertTeam(state: MemoryState, teamId: number | null): void {
  if (teamId !== null && teamId !== 0 && !state.teams.has(teamId)) {
    throw osqsimError('STORE_NOT_FOUND', { what: `team ${teamId}` });
  }
}
