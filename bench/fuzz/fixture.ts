/**
 * A seeded server for fuzzing: built in process (fastify inject, no socket) on the memory store or
 * a given one, with one of everything a route can name — a team with its secret, an osquery host
 * (node key), an orbit host (orbit node key, device token), a global and a team policy, a manual
 * label, a global scheduled query — so near-valid requests reach deep into the handlers. MySQL
 * fixtures (saved once, restored in place, read by table checksums) are in ./mysql-fixture.ts.
 */
import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { buildServer, type OsqsimServer } from '../../server/app.js';
import { MemoryStore } from '../../server/store/index.js';
import type { MemoryState } from '../../server/store/memory/state.js';
import type { Store } from '../../server/store/store.js';

export const FUZZ_TOKEN = 'fuzz-api-token';
export const FUZZ_SECRET = 'fuzz-enroll-secret';
export const FUZZ_TEAM_SECRET = 'fuzz-team-secret';

export interface FuzzIds {
  readonly nodeKey: string;
  readonly orbitNodeKey: string;
  readonly deviceToken: string;
  readonly hostId: number;
  readonly teamId: number;
  readonly policyId: number;
  readonly teamPolicyId: number;
  readonly labelId: number;
  readonly labelName: string;
  readonly queryId: number;
  readonly queryName: string;
}

export interface FuzzFixture {
  readonly server: OsqsimServer;
  readonly store: Store;
  readonly ids: FuzzIds;
  request(method: string, url: string, payload: string | undefined, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /**
   * Puts the store back, in place, to its state right after seeding (the ids stay valid): the
   * memory store's state object is a structured clone of the seeded one (≈ 0.1 ms against ≈ 70 ms
   * for a new server); a MySQL database gets its saved rows back (./mysql-fixture.ts). Only right
   * where no server cache can hold what the restore takes away: the REST routes read the store
   * directly, the osquery and orbit routes go through host and auth caches.
   */
  readonly restore?: () => Promise<void>;
  /**
   * What a rejected request must leave as it was, when the fixture has a cheaper read of it than
   * storeState (MySQL: one round trip of table checksums and row counts); see fixtureState.
   */
  readonly state?: () => Promise<StoreState>;
  close(): Promise<void>;
}

export interface FuzzFixtureOptions {
  /** Runs when the fixture closes, after its server. */
  readonly dispose?: () => Promise<void>;
  /**
   * The store already holds the seeded entities, with these ids (a MySQL database restored to its
   * saved rows): the new server serves it as it is, nothing is seeded again.
   */
  readonly seeded?: FuzzIds;
  /** The store's in-place restore (the memory store's is built here). */
  readonly restore?: () => Promise<void>;
  readonly state?: () => Promise<StoreState>;
}

/** The memory store's one state object (server/store/memory/store.ts keeps it in `state`). */
interface MemoryStoreInside {
  state: MemoryState;
}

export async function startFuzzFixture(store?: Store, options: FuzzFixtureOptions = {}): Promise<FuzzFixture> {
  const own = store ?? new MemoryStore();
  const dispose = options.dispose ?? (async () => undefined);
  if (store === undefined) await own.migrate();
  const server = await buildServer({ logLevel: 'silent', enrollSecrets: [{ secret: FUZZ_SECRET }], apiToken: FUZZ_TOKEN, store: own, closeStore: false });
  const request: FuzzFixture['request'] = (method, url, payload, headers = {}) =>
    server.app.inject({ method: method as 'GET', url, headers: { 'content-type': 'application/json', authorization: `Bearer ${FUZZ_TOKEN}`, ...headers }, ...(payload === undefined ? {} : { payload }) });
  const json = async (method: string, url: string, body: unknown): Promise<Record<string, any>> => {
    const response = await request(method, url, JSON.stringify(body));
    if (response.statusCode !== 200) throw new Error(`fuzz fixture: ${method} ${url} answered ${response.statusCode} ${response.body}`);
    return response.json();
  };
  try {
    const ids = options.seeded ?? (await seed(own, json));
    let restore = options.restore;
    if (restore === undefined && own instanceof MemoryStore) {
      const inside = own as unknown as MemoryStoreInside;
      const seeded = structuredClone(inside.state);
      restore = async () => void (inside.state = structuredClone(seeded));
    }
    return {
      server, store: own, ids, request, ...(restore === undefined ? {} : { restore }), ...(options.state === undefined ? {} : { state: options.state }),
      async close() {
        await server.close();
        if (store === undefined) await own.close();
        await dispose();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Creates one of everything a route can name, through the routes themselves. */
async function seed(own: Store, json: (method: string, url: string, body: unknown) => Promise<Record<string, any>>): Promise<FuzzIds> {
  const team = (await json('POST', '/api/latest/fleet/teams', { name: 'fuzz team' })).team;
  await json('PATCH', `/api/latest/fleet/teams/${team.id}/secrets`, { secrets: [{ secret: FUZZ_TEAM_SECRET }] });
  const { node_key: nodeKey } = await json('POST', '/api/osquery/enroll', {
    enroll_secret: FUZZ_SECRET,
    host_identifier: 'fuzz-host',
    host_details: { os_version: { platform: 'ubuntu', name: 'Ubuntu', version: '22.04' }, osquery_info: { version: '5.12.1' }, system_info: { hostname: 'fuzz-host', uuid: 'uuid-fuzz-host' } },
  });
  const { orbit_node_key: orbitNodeKey } = await json('POST', '/api/fleet/orbit/enroll', { enroll_secret: FUZZ_SECRET, hardware_uuid: 'uuid-orbit-host', hostname: 'orbit-host', platform: 'ubuntu' });
  const deviceToken = 'fuzz-device-token';
  await json('POST', '/api/fleet/orbit/device_token', { orbit_node_key: orbitNodeKey, device_auth_token: deviceToken });
  const host = (await own.getHostByNodeKey(nodeKey))!;
  const policy = (await json('POST', '/api/latest/fleet/global/policies', { name: 'fuzz policy', query: 'SELECT 1;' })).policy;
  const teamPolicy = (await json('POST', `/api/latest/fleet/teams/${team.id}/policies`, { name: 'fuzz team policy', query: 'SELECT 1;' })).policy;
  const label = (await json('POST', '/api/latest/fleet/labels', { name: 'fuzz label', hosts: ['fuzz-host'] })).label;
  const query = (await json('POST', '/api/latest/fleet/queries', { name: 'fuzz query', query: 'SELECT 1;', interval: 3600 })).query;
  return {
    nodeKey, orbitNodeKey, deviceToken, hostId: host.id, teamId: team.id, policyId: policy.id, teamPolicyId: teamPolicy.id,
    labelId: label.id, labelName: label.name, queryId: query.id, queryName: query.name,
  };
}

/** What a rejected request must leave as it was: counts of every entity and a digest of their content. */
export interface StoreState {
  readonly counts: Readonly<Record<string, number>>;
  readonly digest: string;
}

export async function storeState(store: Store): Promise<StoreState> {
  const hosts = await store.listHosts({ perPage: 100_000 });
  const teams = await store.listTeams();
  const content = {
    // Seen times move on any authenticated request (as Fleet's last-seen): not part of the content.
    hosts: hosts.map(({ seenTime: _seen, ...rest }) => rest),
    membership: await Promise.all(hosts.map((host) => store.hostMembership(host.id))),
    hostLabels: await Promise.all(hosts.map((host) => store.hostLabelIds(host.id))),
    vitals: await Promise.all(hosts.map((host) => store.getHostVitals(host.id))),
    teams,
    secrets: await Promise.all([null, ...teams.map((t) => t.id)].map((id) => store.listEnrollSecrets(id))),
    policies: await store.listAllPolicies(),
    labels: await store.listLabels(),
    queries: await Promise.all([null, ...teams.map((t) => t.id)].map((id) => store.listQueries(id))),
  };
  const text = JSON.stringify(content, (_key, value: unknown) => (value instanceof Date ? value.toISOString() : value));
  return {
    counts: {
      hosts: hosts.length,
      teams: teams.length,
      policies: content.policies.length,
      labels: content.labels.length,
      queries: content.queries.reduce((n, list) => n + list.length, 0),
      membership: await store.countMembership(),
    },
    digest: createHash('sha256').update(text).digest('hex'),
  };
}

/** The state of a fixture's store: its own cheaper read where it has one, storeState otherwise. */
export function fixtureState(fixture: FuzzFixture): Promise<StoreState> {
  return fixture.state?.() ?? storeState(fixture.store);
}

/** Hosts, teams, policies, labels, queries and membership rows in a state (what accepted writes grow). */
export const entityCount = (state: StoreState): number => Object.values(state.counts).reduce((sum, n) => sum + n, 0);
