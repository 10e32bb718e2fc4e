/**
 * The memory store's one state object, shared by its entity files (teams, hosts, feed, policies,
 * membership, counts, leases) as the MySQL files share the database.
 */
import { osqsimError } from '../../../lib/errors.js';
import type { EnrollSecret, Host, HostOrbitInfo, Policy, PolicyCount, PolicyPasses, StatsRun, Team } from '../types.js';
import type { ScheduledQuery } from '../query-types.js';

export interface Cell {
  passes: PolicyPasses;
  updatedAt: Date;
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
  return {
    nextTeamId: 1,
    nextHostId: 1,
    nextPolicyId: 1,
    nextRunId: 1,
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
    feedLog: [],
    feedBase: 0,
    policiesVersion: 0,
  };
}

/** Hosts, secrets and team policies may only name teams that exist (0 = No team is fine for policies). */
export function assertTeam(state: MemoryState, teamId: number | null): void {
  if (teamId !== null && teamId !== 0 && !state.teams.has(teamId)) {
    throw osqsimError('STORE_NOT_FOUND', { what: `team ${teamId}` });
  }
}
