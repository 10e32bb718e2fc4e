/** Small fixed fleets for the stats tests. */
import { ServerEvents } from '../../../server/events.js';
import { MemoryStore } from '../../../server/store/memory/index.js';
import type { Store } from '../../../server/store/store.js';
import type { PolicyPasses } from '../../../server/store/types.js';

export function hostIdentity(osqueryHostId: string) {
  return {
    osqueryHostId,
    platform: 'darwin',
    hostname: osqueryHostId,
    uuid: osqueryHostId,
    hardwareSerial: '',
    osVersion: 'macOS 14',
    osqueryVersion: '5.12.1',
  };
}

export interface SmallFleet {
  readonly store: Store;
  readonly events: ServerEvents;
  readonly teamA: number;
  readonly teamB: number;
  readonly globalPolicy: number;
  readonly teamAPolicy: number;
  readonly noTeamPolicy: number;
  /** host ids: two in team A, one in team B, two in no team. */
  readonly hosts: { a1: number; a2: number; b1: number; n1: number; n2: number };
  write(hostId: number, results: Record<number, PolicyPasses>): Promise<void>;
}

/** Two teams, a global policy, a team-A policy and a No-team policy, five hosts. */
export async function smallFleet(store: Store = new MemoryStore()): Promise<SmallFleet> {
  await store.migrate();
  const events = new ServerEvents();
  const teamA = (await store.createTeam('A')).id;
  const teamB = (await store.createTeam('B')).id;
  const globalPolicy = (await store.createPolicy({ teamId: null, name: 'global', query: 'SELECT 1;' })).id;
  const teamAPolicy = (await store.createPolicy({ teamId: teamA, name: 'team A', query: 'SELECT 2;' })).id;
  const noTeamPolicy = (await store.createPolicy({ teamId: 0, name: 'no team', query: 'SELECT 3;' })).id;
  const enroll = async (name: string, teamId: number | null): Promise<number> =>
    (await store.enrollHost(hostIdentity(name), `key-${name}`, teamId, new Date())).host.id;
  const hosts = {
    a1: await enroll('a1', teamA),
    a2: await enroll('a2', teamA),
    b1: await enroll('b1', teamB),
    n1: await enroll('n1', null),
    n2: await enroll('n2', null),
  };
  return {
    store,
    events,
    teamA,
    teamB,
    globalPolicy,
    teamAPolicy,
    noTeamPolicy,
    hosts,
    async write(hostId, results) {
      const outcome = await store.recordPolicyResults(
        [{ hostId, results: Object.entries(results).map(([policyId, passes]) => ({ policyId: Number(policyId), passes })), reportedAt: new Date() }],
        { trackChanges: events.wantsMembershipChanges() },
      );
      if (outcome.changes.length > 0) events.emit('membershipChanged', outcome.changes);
    },
  };
}

/** A clock tests move by hand. */
export function manualClock(start = '2026-01-01T00:00:00.000Z'): { now: () => Date; advance(ms: number): void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
  };
}
